"""What the tests share: fixed clocks, worlds, drivers, recording channels."""
