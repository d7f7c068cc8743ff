"""Terms and elections (换届): election records that start an organisation's new term."""
