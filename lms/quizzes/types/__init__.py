"""Built-in question types, one module each."""
