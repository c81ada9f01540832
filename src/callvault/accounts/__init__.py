"""Customer accounts, with the email domains that link calls to them."""
