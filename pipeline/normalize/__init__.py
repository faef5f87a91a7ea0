"""Pure normalization functions: countries, numbers, dates."""
