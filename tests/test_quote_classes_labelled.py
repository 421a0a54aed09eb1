"""Attribution classes met on the hand-labelled real BBC and CNN/Daily Mail articles
(bench/eval_speakers_labelled.py, development half), each as a pattern written for this
test: the mechanism, never the article's names.

Every example sentence here was written for these tests.
"""

from __future__ import annotations

from summarizer.model import Quote
from summarizer.quotes import find_quotes
from summarizer.sentences import split_sentences


def quotes(*paragraphs: str) -> list[Quote]:
    key, fragments = find_quotes(split_sentences(list(paragraphs)), title=paragraphs[0])
    return [*key, *fragments]


def speaker_of(start: str, *paragraphs: str) -> str | None:
    found = [q for q in quotes(*paragraphs) if q.text.startswith(start)]
    assert found, quotes(*paragraphs)
    return found[0].speaker


def test_a_link_arrow_is_not_a_closing_mark() -> None:
    """'Watch the report on the harbour talks ».' is a video link, not a quote whose
    opening mark was lost."""
    found = quotes(
        "Harbour talks stall",
        "Talks on the harbour lease broke up on Monday without a deal.",
        "Watch the report on the harbour talks ».",
        "Both sides will meet again next month.",
    )
    assert not [q for q in found if "Watch" in q.text]


def test_a_definite_epithet_points_back_to_the_person_named() -> None:
    """'The Leeds-born singer said:' is someone already named, not a new unnamed source
    that a later 'the Grammy-nominated singer' would fall back to."""
    paragraphs = (
        "Singer backs choir hall",
        "Pop star Ellis Varden has hosted a supper in Paris to raise money for a choir hall.",
        "The Leeds-born singer said the hall was in a poor state.",
        "Mr Varden said the aim was to find donors.",
        "The Grammy-nominated singer said: “The hall gave me my first stage and my first"
        " audience.”",
    )
    assert speaker_of("The hall gave me", *paragraphs) == "Ellis Varden"


def test_a_title_of_place_gives_its_role_to_the_name_in_apposition() -> None:
    """'X
    the dean is the person named beside the title, and 'Rt'/'Rev'/'Dr' are titles,
    so 'the Rev Dr Ana Perl' is no organisation."""
    paragraphs = (
        "Bishop praises the choir",
        "The Bishop of Marlow, the Rt Rev Dr Ana Perl, called the concert a triumph.",
        "Despite a late start blamed on Tomas Venn's bus, the Bishop said the night went well.",
        "Writing in the parish newsletter, the Bishop said: “The choir sang better than"
        " it has in years.”",
    )
    assert speaker_of("The choir sang better", *paragraphs) == "Ana Perl"


def test_the_next_paragraph_reading_the_same_attribution_keeps_its_speaker() -> None:
    """'“A,” he said.' then a paragraph opening '“B …' with no attribution of its own:
    both are the speaker the first was given, however 'he' would resolve alone."""
    paragraphs = (
        "Bishop defends the old bells",
        "The Bishop of Elmsted, the Rt Rev Piers Dane, wants the bells kept.",
        "Despite liking Omar Lutz's plan, the Bishop said the bells were sound.",
        "“The bells have rung here for three hundred years,” he said.",
        "“We have the records of every repair to every bell since then.",
        "“Nothing in them suggests the frame is unsafe.”",
    )
    assert speaker_of("The bells have rung", *paragraphs) == "Piers Dane"
    assert speaker_of("We have the records", *paragraphs) == "Piers Dane"


def test_the_owner_of_the_words_a_colon_clause_names_said_them() -> None:
    """'His message to the council was: “…”': the words are his."""
    paragraphs = (
        "Traders warn council",
        "Shop owners met on Friday. Their leader, Karl Obi, said rents must fall.",
        "His message to the council was: “Please cut the rents before more shops close.”",
    )
    assert speaker_of("Please cut the rents", *paragraphs) == "Karl Obi"


def test_a_pronoun_leans_to_the_last_subject_of_a_saying_verb() -> None:
    """'His reply came after Sir Ian Holt said …. His message was:' after an earlier
    speaker: the pronoun is the one who spoke last, in a subordinate clause or not."""
    paragraphs = (
        "Budget row",
        "Minister Dev Rana said on radio there would be no spending spree.",
        "His comments came after Sir Ian Holt said business needed stability.",
        "His message to the minister was: “Please do not give the money away.”",
    )
    assert speaker_of("Please do not give", *paragraphs) == "Ian Holt"


def test_reported_speech_after_a_finished_quote_is_no_attribution() -> None:
    """'“….” Ward officials said Tuesday that they were “…”': the sentence after a quote
    ending in a full stop reports other words; the quote stays with the one who said
    it in the sentence before."""
    paragraphs = (
        "Library lost its map",
        "The old map was sent to a store by mistake, Inspector Noor Valli said."
        " “It is not known how the map ended up in the crates sent for storage.”"
        " Library officials said Tuesday that they were “sorry for the confusion and"
        " the worry it has caused.”",
    )
    assert speaker_of("It is not known", *paragraphs) == "Noor Valli"


def test_a_speaker_set_off_by_dashes_is_who_he_means_next() -> None:
    """'…, Omar Reyes - who lost his flat in the fire - said …' then 'He said Mr Cole had
    …, adding: “…”': the saying subject of the sentence just before is 'he', over a
    man who spoke in an earlier paragraph and is named later in the sentence."""
    paragraphs = (
        "Mayor apologises to tenants",
        "Mayor Dan Cole said: “I am very sorry for the long delay in rehousing you all.”",
        "However, one of the tenants, Omar Reyes - who lost his flat in the fire - said the"
        " tenants were pleased.",
        "He said Mr Cole had spoken with “real warmth”, adding: “He listened to every one of"
        " us for an hour.",
        "“It is a day we did not think would come.”",
    )
    assert speaker_of("He listened to every", *paragraphs) == "Omar Reyes"
    assert speaker_of("It is a day", *paragraphs) == "Omar Reyes"


def test_according_to_a_name_with_a_long_qualifier_is_that_name() -> None:
    """'“…,” according to Ana Ruiz at the Upper Vale River Basin Research Reserve in North
    Dakota.': the name before its qualifier, however long the qualifier runs."""
    paragraphs = (
        "Roads will have to rise",
        "Over the long term, “in many places, the towns will have to raise the roads where"
        " they stand,” according to Ana Ruiz at the Upper Vale River Basin Research Reserve"
        " in North Dakota.",
    )
    assert speaker_of("in many places", *paragraphs) == "Ana Ruiz"


def test_a_role_noun_is_not_someone_described_so_only_later() -> None:
    """'Ana Ruiz won the 60m. The world champion said: “…”' is Ruiz, not a 'former
    national champion' named paragraphs later."""
    paragraphs = (
        "Ruiz wins in Ghent",
        "Spain's Ana Ruiz won the 60m in Ghent on Sunday despite a heavy cold.",
        "The world champion said: “I nearly stayed at home this morning because of it.”",
        "Elsewhere, several other sprinters showed good form over the weekend.",
        "Lena Holt equalled her best with former national champion Mia Sorel second.",
    )
    assert speaker_of("I nearly stayed at home", *paragraphs) == "Ana Ruiz"


def test_a_quote_paragraph_before_an_attributed_one_is_not_a_silent_subject_s() -> None:
    """'The board had banned her.' / '“We have lifted the ban.”' / '“…,” said board
    chief Omar Lutz.': the lone quote is the chief's, not the board's, which said
    nothing in the sentence before."""
    paragraphs = (
        "Board lifts ban",
        "The Rowing Board of Tarn had banned Ana Ruiz for missing a training camp.",
        "“We have lifted the ban on her.”",
        "“She has given a good reason for her absence,” said board chief Omar Lutz.",
    )
    assert speaker_of("We have lifted the ban", *paragraphs) == "Omar Lutz"


def test_a_doubled_closing_mark_after_the_attribution_leaves_it_an_attribution() -> None:
    """'“…,” underlined Mr Ruiz."': the stray mark after the attribution does not make
    the attribution a quote; so the quote keeps its speaker."""
    paragraphs = (
        "Farm network grows",
        "The valley's farmers now share prices over the network, Ana Ruiz said.",
        "Its promoters say the experience has been good and plan to spread it.",
        '“This is a pilot project, and we want to copy it in other valleys,” underlined Mr Lutz."',
    )
    assert speaker_of("This is a pilot project", *paragraphs) == "Lutz"


def test_an_interviewers_you_said_is_the_interviewee() -> None:
    """In a Q&A, 'Q: In your last book, you said, “…”' quotes the person interviewed,
    not the interviewer whose label opens the paragraph."""
    paragraphs = (
        "A painter looks back",
        "Painter Ana Ruiz, 88, has a new show in Leeds. Ruiz spoke to The Courier at home.",
        "The Courier: What did the critics make of it? Ruiz: They were kind, mostly.",
        "The Courier: In your last book, “Late Light.” You said, “I paint better now that my"
        " hands shake.” Ruiz: I do, and I mean it.",
    )
    assert speaker_of("I paint better now", *paragraphs) == "Ana Ruiz"


def test_a_place_after_the_speakers_description_is_not_the_speaker() -> None:
    """'“…,” says Omar Lutz assistant professor at Vale University in Tarn, Norland.':
    the country closing the description is where, not who."""
    paragraphs = (
        "Leader keeps a low profile",
        "Experts say the new leader chose another style.",
        "“He was rather quiet for a few years after the funeral,” says Omar Lutz assistant"
        " professor at Vale University in Tarn, Norway.",
    )
    assert speaker_of("He was rather quiet", *paragraphs) == "Omar Lutz"


def test_the_subject_said_it_before_declaring() -> None:
    """'Ruiz praised the old leaders before declaring, “…”': the subject of the clause
    the -ing verb hangs on."""
    paragraphs = (
        "Rally in the capital",
        "He listened to a speech from Ana Ruiz, head of the party's youth arm.",
        "Ruiz praised the old leaders before declaring, “Our new leader is the nation's future.”",
    )
    assert speaker_of("Our new leader is", *paragraphs) == "Ana Ruiz"


def test_a_word_no_one_named_yet_has_as_surname_is_the_name_it_opens() -> None:
    """'Kim' after 'Kim Tae Ho' is him, not 'Lena Kim', who is named only later: a
    family name written first, or a given name alone, for someone named before."""
    paragraphs = (
        "New coach settles in",
        "Kim Tae Ho took over the team in March.",
        "Kim told the players, “We will train twice a day until the season starts.”",
        "“He has changed the mood,” said Lena Kim, a club director.",
    )
    assert speaker_of("We will train twice", *paragraphs) == "Kim Tae Ho"
