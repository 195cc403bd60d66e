"""Pure rules and parsing, shared by services; nothing here touches Discord or the database."""
