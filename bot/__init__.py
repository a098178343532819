"""Answer questions about a news story, proving every answer with the story's own words."""
