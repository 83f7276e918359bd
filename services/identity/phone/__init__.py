"""Phone OTP sign-up and login (the Loopin product): codes by SMS, event interests, the Loopin profile."""
