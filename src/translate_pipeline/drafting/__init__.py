"""Machine drafts: the engines, the glossary and what they already answered."""
