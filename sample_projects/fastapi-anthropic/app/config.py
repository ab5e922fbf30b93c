import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    anthropic_api_key: str | None = os.environ.get("ANTHROPIC_API_KEY")
    model: str = os.environ.get("ANTHROPIC_MODEL", "claude-3-5-haiku-latest")
    max_input_chars: int = int(os.environ.get("MAX_INPUT_CHARS", "20000"))


settings = Settings()
