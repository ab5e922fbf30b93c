from anthropic import AsyncAnthropic

from app.config import settings

client = AsyncAnthropic(api_key=settings.anthropic_api_key)

SYSTEM_PROMPT = (
    "You write faithful, concise summaries. Never add facts that are not in "
    "the source text. Answer with the summary only."
)


async def summarize(text: str, max_words: int = 80) -> tuple[str, dict[str, int]]:
    """Return the summary and the token usage for one piece of text."""
    message = await client.messages.create(
        model=settings.model,
        max_tokens=1024,
        system=SYSTEM_PROMPT,
        messages=[
            {
                "role": "user",
                "content": f"Summarize in at most {max_words} words:\n\n{text}",
            }
        ],
    )
    summary = "".join(block.text for block in message.content if block.type == "text")
    usage = {
        "input_tokens": message.usage.input_tokens,
        "output_tokens": message.usage.output_tokens,
    }
    return summary.strip(), usage
