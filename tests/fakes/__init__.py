"""Stand-ins for outside services, served on loopback so the real clients can talk to them."""
