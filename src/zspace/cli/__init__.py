"""The command line: thin shells that parse, call one library function, and print."""
