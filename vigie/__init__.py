"""vigie package."""
