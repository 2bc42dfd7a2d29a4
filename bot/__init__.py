"""citatbot front ends, composer and conversation service."""
