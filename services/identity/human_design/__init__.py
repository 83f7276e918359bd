"""The Human Design chart (human-design-chart-api), with the seed's own error bodies."""
