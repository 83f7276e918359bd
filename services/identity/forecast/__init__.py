"""Daily forecasts: universal per date, personalised for a signed-in user."""
