"""The agencies of the program, as handlers over messages on the bus."""
