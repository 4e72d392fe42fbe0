"""Delivering the outbox through the adapters: claim, send, record the outcome."""

from bot.delivery.claims import DrainReport
from bot.delivery.deliverer import Deliverer

__all__ = ["Deliverer", "DrainReport"]
