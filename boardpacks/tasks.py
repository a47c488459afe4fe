"""Board-pack jobs. Thin: each calls one service. `build_monthly_board_packs` is on the beat
schedule every weekday at 06:00 and acts only on the first working day of the month."""

from celery import shared_task


@shared_task(acks_late=True)
def build_monthly_board_packs():
    from .services import board_packs_build_monthly

    return board_packs_build_monthly()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def board_pack_notify_task(pack_id: int):
    from .services import board_pack_notify

    return board_pack_notify(pack_id=pack_id)
