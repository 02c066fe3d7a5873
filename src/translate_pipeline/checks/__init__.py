"""What a translation must keep of its source: markup, numbers, references."""
