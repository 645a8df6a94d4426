"""Pipeline stages: sources -> fetch -> extract -> embed -> cluster -> signals -> rank."""
