"""Demo feedback: about 60 realistic items across channels, audiences and localities in 2024
(several in June 2024), a couple with safeguarding content, some with consent to quote.
Idempotent (each item has a `demo:NN` source_ref); analysed eagerly so the inbox is full."""

from datetime import datetime, time

from django.utils import timezone

from .models import Channel, FeedbackItem
from .services import feedback_analyse, feedback_ingest, school_seed, theme_seed

TEXTS = [
    "We applied for an EHC needs assessment in January and it is now 40 weeks later and still no plan.",
    "Our caseworker changed three times this year and nobody told us. I don't know who to contact.",
    "The SENCO at my son's school has been brilliant, she listened and put a plan in place within weeks.",
    "Emails to the SEND team go unanswered. I have chased five times about the annual review.",
    "The draft plan was copy and paste from another child, it even had the wrong name in it.",
    "Section F is vague: 'access to support' doesn't tell the school what he should get.",
    "My daughter has been on the CAMHS waiting list for 18 months. We are at breaking point.",
    "Home to school transport was sorted quickly this year and the driver is lovely with my son.",
    "He has been on a part-time timetable since Year 7 and was excluded twice this term.",
    "Moving to secondary school was well planned, the transition visits really helped her settle.",
    "The Local Offer website is hard to find things on and half the links are out of date.",
    "I had to tell our story again to every service. Health and education just don't talk to each other.",
    "Thank you to the Parent Carer Forum for the keep in touch meeting, it helped to be heard.",
    "As a SENCO I wait months for EP reports, which delays the whole EHCP process.",
    "Teachers need more training in autism. Staff don't understand why he can't cope with noise.",
    "We got the final EHCP within 20 weeks and it describes our child accurately. Really pleased.",
    "There are no special school places near us so he is out of school with no provision.",
    "I don't understand what happens at panel or who makes the decisions about my child's plan.",
    "The early help family support worker made a real difference before things got worse.",
    "Post-16 options for young people with SEND are very limited in the north of the county.",
    "I like my college and my support worker helps me with my timetable.",
    "Nobody asked me what I wanted in my plan. It is about me but I wasn't in the meeting.",
    "The youth forum is good because adults actually listen to us.",
    "I get anxious on the school bus and nobody does anything about it.",
    "The speech and language therapy in his plan has not been delivered for two terms.",
    "Annual review paperwork was sent back to us months late and the plan still isn't updated.",
    "We were refused an assessment even though the school supports the request.",
    "The named worker pilot has been great: one person who knows us and replies to emails.",
    "As a health professional I am asked for advice with very short deadlines.",
    "Short breaks and respite have been cut and families are struggling.",
    "Communication from the council has improved, we now get updates on the assessment.",
    "The sounding board was a good chance to comment on the new SEND strategy.",
    "Waiting 2 years for an autism assessment is too long. Support while waiting would help.",
    "My son's school refuses to make reasonable adjustments and gives him detentions for his ADHD.",
    "Leaders say they are listening but nothing has changed since the inspection.",
    "I phoned the helpdesk and they were kind and helpful and called me back the same day.",
    "The plan was finalised but the school says they can't meet his needs without more funding.",
    "Please make letters easier to read, there is too much jargon.",
    "The focus group felt like a tick box exercise, we never heard what happened next.",
    "Our social worker and the school worked together really well at his transition review.",
]
SAFEGUARDING = [
    "My 14 year old has started cutting herself and says she doesn't want to be here anymore. "
    "We are still waiting for CAMHS.",
    "He keeps going missing after school and comes home with money and a new phone he won't explain. "
    "Older boys pick him up in a car.",
]
CHANNELS = [
    Channel.WEB_FORM,
    Channel.FOCUS_GROUP,
    Channel.SEND_CONVERSATION,
    Channel.KEEP_IN_TOUCH,
    Channel.SOUNDING_BOARD,
    Channel.HELPDESK,
    Channel.EMAIL,
    Channel.PHONE,
    Channel.SURVEY,
]
AUDIENCES = ["parent_carer", "parent_carer", "young_person", "professional", "parent_carer"]
LOCALITIES = ["north", "central", "south", ""]


def _items():
    texts = TEXTS + [t.replace("my son", "my daughter").replace("He ", "She ") for t in TEXTS[:18]]
    rows = []
    for n, text in enumerate(texts):
        month = 6 if n % 5 == 0 else (n % 12) + 1
        rows.append(
            (
                f"demo:{n:02d}",
                text,
                CHANNELS[n % len(CHANNELS)],
                AUDIENCES[n % len(AUDIENCES)],
                LOCALITIES[n % len(LOCALITIES)],
                datetime(2024, month, (n % 27) + 1),
                n % 3 == 0,
            )
        )
    for n, text in enumerate(SAFEGUARDING):
        rows.append(
            (
                f"demo:sg{n}",
                text,
                Channel.WEB_FORM,
                "parent_carer",
                "central",
                datetime(2024, 6, 10 + n),
                False,
            )
        )
    return rows


def load(stdout) -> None:
    school_seed()
    theme_seed()
    created = 0
    for ref, text, channel, audience, locality, when, consent in _items():
        exists = FeedbackItem.objects.filter(source_ref=ref).exists()
        item = feedback_ingest(
            text=text,
            channel=channel,
            audience=audience,
            locality=locality,
            source_ref=ref,
            received_at=timezone.make_aware(datetime.combine(when.date(), time(10, 30))),
            consent_to_quote=consent,
        )
        if not exists:
            created += 1
        if item.analysis_state != FeedbackItem.AnalysisState.DONE:
            feedback_analyse(item_id=item.pk)
    stdout.write(f"Feedback demo: {created} new items ({len(_items())} in total).\n")
