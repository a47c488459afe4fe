"""Thin Celery tasks: each takes a primary key and calls one service."""

from celery import shared_task

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_kwargs": {"max_retries": 5},
    "ignore_result": True,
}


@shared_task(**RETRY)
def send_consent_request(consent_pk: int) -> bool:
    from .services import consent_request_send

    return consent_request_send(consent_id=consent_pk)


@shared_task(**RETRY)
def send_sign_in_link(member_pk: int) -> bool:
    from .services import sign_in_link_send

    return sign_in_link_send(member_id=member_pk)
