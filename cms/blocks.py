"""The one shared body StreamBlock for every page type. Fewer templates means fewer places to
get accessibility wrong: each block has its own small template in cms/templates/cms/blocks/."""

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading. Level 2 or 3 only, so headings stay in order under the page's h1."""

    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(choices=[("h2", "Level 2"), ("h3", "Level 3")], default="h2")

    class Meta:
        template = "cms/blocks/heading.html"
        icon = "title"
        description = "A heading for a section of the page"
        preview_value = {"text": "What families told us", "level": "h2"}


class InsetBlock(blocks.StructBlock):
    """Inset text: a short quote or note set apart from the body."""

    text = blocks.TextBlock()

    class Meta:
        template = "cms/blocks/inset.html"
        icon = "openquote"
        description = "Text set apart from the rest, such as a key message"
        preview_value = {"text": "The next termly SEND conversation is on 12 March."}


class DetailsBlock(blocks.StructBlock):
    """A 'details' expander for supporting information people may not need."""

    summary = blocks.CharBlock(max_length=120)
    body = blocks.RichTextBlock(features=["bold", "link", "ol", "ul"])

    class Meta:
        template = "cms/blocks/details.html"
        icon = "collapse-down"
        description = "A show/hide section for extra detail"
        preview_value = {
            "summary": "What is an EHC needs assessment?",
            "body": "<p>An assessment of a child's education, health and care needs.</p>",
        }


class EasyReadBlock(blocks.StructBlock):
    """One easy-read line: a picture (emoji or image) beside a short sentence."""

    picture = blocks.CharBlock(max_length=8, help_text="An emoji, such as 🏫 or 🗓️")
    image = ImageBlock(required=False)
    text = blocks.CharBlock(max_length=200, help_text="One short sentence.")

    class Meta:
        template = "cms/blocks/easy_read.html"
        icon = "pick"
        description = "A picture beside one short sentence, for easy read"
        preview_value = {"picture": "🗓️", "text": "We will meet again in March."}


class BodyBlock(blocks.StreamBlock):
    """The body of every page type: headings, rich text, images (alt text required by
    ImageBlock unless marked decorative), inset text, details and easy-read lines."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h2", "h3"],
        template="cms/blocks/paragraph.html",
        icon="pilcrow",
        description="Paragraphs of text",
        preview_value="<p>We asked families about the EHC needs assessment.</p>",
    )
    image = ImageBlock(template="cms/blocks/image.html", description="An image with alt text", icon="image")
    inset = InsetBlock()
    details = DetailsBlock()
    easy_read = EasyReadBlock()

    class Meta:
        template = "cms/blocks/body.html"
