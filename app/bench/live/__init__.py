"""`python main.py bench live`: the voice loop measured from the outside, through a private sound server."""
