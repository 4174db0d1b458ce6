"""`lab advise`: should we go async? Capacity per server configuration, from measurements."""
