from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Signup(BaseModel):
    """A sign-up form as it arrives from the outside world, validated field by field."""

    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-z0-9_]+$")
    age: int = Field(ge=13)
    plan: Literal["free", "pro"] = "free"
