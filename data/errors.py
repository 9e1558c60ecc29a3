class DataError(ValueError):
    """A problem with the user's data; the message is written for them."""
