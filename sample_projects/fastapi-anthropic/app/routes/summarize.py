from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from app.config import settings
from app.llm import summarize

router = APIRouter(tags=["summarize"])


class SummarizeRequest(BaseModel):
    text: str = Field(min_length=1)
    max_words: int = Field(default=80, ge=10, le=500)


class SummarizeResponse(BaseModel):
    summary: str
    input_tokens: int
    output_tokens: int


@router.post("/summarize", response_model=SummarizeResponse)
async def summarize_text(body: SummarizeRequest) -> SummarizeResponse:
    if len(body.text) > settings.max_input_chars:
        raise HTTPException(status_code=413, detail="Text is too long to summarize.")
    summary, usage = await summarize(body.text, body.max_words)
    return SummarizeResponse(summary=summary, **usage)
