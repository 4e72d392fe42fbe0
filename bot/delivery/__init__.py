"""Delivering the outbox through the adapters."""

from bot.delivery.deliverer import Deliverer, DrainReport

__all__ = ["Deliverer", "DrainReport"]
