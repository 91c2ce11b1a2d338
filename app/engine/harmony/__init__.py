"""The harmony format: rendering the conversation safely, and parsing the model's answer."""
