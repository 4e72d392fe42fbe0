"""Delivering the outbox through the adapters: claim, send, record the outcome."""

from bot.delivery.deliverer import Deliverer, DrainReport

__all__ = ["Deliverer", "DrainReport"]
