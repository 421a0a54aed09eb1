"""Word lists for telling people, organisations and things apart in news prose.

Kept in one place so the rules in speakers.py and attribution.py read as rules.
All entries are lowercase and without trailing full stops.
"""

from __future__ import annotations


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = _set(
    """
    mr mrs ms miss mx dr prof professor sir dame lord lady sen senator rep representative gov
    governor president vice prime minister secretary chancellor mayor councillor councilor cllr
    judge justice gen general col colonel lt lieutenant maj major capt captain sgt sergeant cmdr
    commander adm admiral officer detective det inspector supt superintendent constable chief
    executive director coach manager chairman chairwoman chair ceo cfo rev reverend father bishop
    archbishop pope king queen prince princess ambassador commissioner deputy assistant foreign
    finance health defence defense interior home education state attorney speaker senior acting
    former mp mep congressman congresswoman sheriff pastor rabbi imam principal treasurer
    premier emir sheikh crown leader first head spokesman spokeswoman spokesperson founder
    economist analyst striker midfielder goalkeeper defender forward skipper veteran rookie
    prosecutor parent resident teacher student pupil campaigner activist shopkeeper farmer nurse
    doctor lawyer solicitor barrister witness neighbour fan supporter voter worker engineer
    scientist researcher author novelist poet artist singer actor actress producer writer
    journalist historian trader investor owner landlord tenant pensioner patient survivor
    mother grandmother grandfather opposition shadow conservative labour liberal democrat
    republican independent green mayor-elect president-elect police fire officer firefighter
    astronaut astronomer physicist chemist biologist neurologist surgeon pharmacologist
    champion winner player star runner athlete rider driver boxer golfer swimmer sprinter
    cyclist skater jockey trainer batsman bowler keeper veteran singer rapper presenter host
    passenger commuter customer shopper tourist visitor motorist pedestrian homeowner
    boss headteacher headmaster headmistress chef pilot diplomat envoy pc dc ds di dci recorder
    """
)

DEMONYMS = _set(
    """
    american briton brit englishman scot scotsman scotswoman welshman irishman frenchman
    frenchwoman german spaniard italian portuguese dutchman belgian austrian dane swede
    norwegian finn icelander pole czech slovak hungarian romanian bulgarian greek turk
    russian ukrainian serb croat slovenian bosnian albanian canadian mexican brazilian
    argentine argentinian chilean colombian peruvian venezuelan uruguayan cuban jamaican
    australian aussie kiwi chinese japanese korean indian pakistani bangladeshi afghan
    iranian iraqi syrian israeli palestinian egyptian moroccan algerian tunisian nigerian
    ghanaian kenyan ethiopian ugandan tanzanian zimbabwean filipino indonesian vietnamese
    thai malaysian singaporean zealander tory democrat republican
    """
)

TITLES = TITLES | DEMONYMS

MALE_WORDS = _set(
    """
    mr sir lord king prince father congressman chairman spokesman businessman sheikh emir actor
    husband son brother grandfather uncle nephew man boy headmaster sportsman policeman fireman
    councilman alderman widower monk boyfriend dad
    """
)

FEMALE_WORDS = _set(
    """
    mrs ms miss dame lady queen princess congresswoman chairwoman spokeswoman businesswoman
    actress mother wife daughter sister grandmother aunt niece woman girl headmistress
    sportswoman policewoman councilwoman widow nun girlfriend mum mom
    """
)

MALE_NAMES = _set(
    """
    james john robert michael william david richard joseph thomas charles christopher daniel
    matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy
    ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott
    brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry tyler aaron
    jose adam nathan henry peter zachary douglas harold kyle noah carl arthur gerald roger keith
    jeremy terry lawrence sean christian albert joe ethan austin jesse willie billy bruce bryan
    ralph roy jordan eugene wayne louis alan juan gabriel randy philip harry vincent bobby johnny
    logan tom tim ben sam oliver liam owen lucas hugo ahmed mohammed muhammad ali omar hassan
    hussein ibrahim mustafa khalid yusuf haider rahul amit raj sanjay arjun vikram carlos luis
    miguel javier pablo diego jorge pedro antonio giovanni marco luca francesco pierre jean
    jacques francois hans klaus stefan jan piotr ivan dmitri sergei vladimir igor kwame kofi
    emeka chidi tunde femi oluwaseun wei jun hiroshi kenji takeshi min-jun seo-jun ravi neil
    colin graham ian nigel rhys gareth declan conor liam callum angus hamish martin simon
    stuart craig barry derek trevor clive malcolm norman stanley leonard howard victor walter
    fred alfred ernest herbert bernard dominic sebastian julian adrian marcus lewis luke toby
    max leo theo finn jake harvey alfie archie freddie reggie rory ewan fraser euan kieran
    shane darren wayne dean lee troy glenn keith gordon hugh giles rupert piers jeremy rafael
    paolo enzo luigi sergio andrea matteo alessandro lorenzo rashid tariq imran faisal bilal
    hamza karim youssef samir nabil amir reza arash farid ravi vijay anil suresh rajesh deepak
    mohan kumar arun kofi kwesi yaw kojo tunde chinedu obinna emeka segun olu thabo sipho
    themba jabu mandla ahmad hussain abdul hiroshi takumi haruto yuto sota ren kenta daisuke
    jae-won min-ho ji-hoon seung wei ming jian hao lei chen bo tao lars erik sven nils olaf
    anders henrik jonas mikael pieter dirk joost bram tomasz marek piotr pawel jakub andrzej
    lukasz dmitry alexei nikolai mikhail andrei yuri oleg boris taras bogdan mihai florin
    luis jorge alejandro fernando ricardo eduardo manuel francisco rodrigo gonzalo joao
    mike dave steve chris matt nick rob bob bill jim jimmy tony andy pete phil ken ron don dan
    ed ted greg jeff jon josh danny tommy billy ricky
    """
)

FEMALE_NAMES = _set(
    """
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty
    margaret sandra ashley kimberly emily donna michelle dorothy carol amanda melissa deborah
    stephanie rebecca sharon laura cynthia kathleen amy shirley angela helen anna brenda pamela
    nicole emma samantha katherine christine debra rachel catherine carolyn janet ruth maria
    heather diane virginia julie joyce victoria olivia kelly christina lauren joan evelyn judith
    megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn sara janice
    jean alice madison doris abigail julia judy grace denise amber marilyn beverly danielle
    theresa sophia marie diana brittany natalie isabella charlotte rose alexis kayla jane sophie
    chloe lucy amelia ella mia zoe fatima aisha amina layla leila mariam noor priya anjali sunita
    deepa ananya sofia lucia carmen isabel elena ana giulia francesca chiara marie claire
    isabelle camille ingrid anke olga natasha irina svetlana tatiana ngozi adaeze funmilayo yetunde
    amara abena akua mei li yuki sakura hana ji-woo seo-yeon siobhan niamh aoife sinead fiona
    morag eilidh bronwen megan ruby freya isla poppy nina keira kerry joanne jo lottie hayley
    zara hannah beryl glenys dilys gwen ffion sian cerys rhian carys bethan nia elin nadia
    kate katie kathy sally susie jenny jess lily daisy molly holly millie evie imogen harriet
    beatrice florence alice eleanor edith mabel ivy iris violet hazel pearl stella maya eva
    paula rita linda wendy tracy stacey leanne kelly donna tina gina lisa louise claire clare
    caroline sarah sara rebecca rachel naomi esther miriam ruth deborah judith leah tamsin
    ingrid astrid sigrid freja linnea maja elsa greta heidi birgit karin ulla femke anouk
    marta magda agnieszka katarzyna joanna malgorzata olena oksana yulia ekaterina anastasia
    lucia paola giorgia valentina alessandra federica beatriz ines rosa pilar marisol lourdes
    aiko yumi keiko naoko haruka misaki ji-yeon soo-jin mei-ling xiu ying fang hui lan
    amina fatou aminata chioma ngozi nneka folake bisi thandi zanele nomvula wanjiru akinyi
    priya sunita kavita anjali pooja meera lakshmi rani shreya divya neha aisha zainab
    yasmin samira layla noor hana salma rania dina
    """
)

NAME_PARTICLES = _set(
    "de da di du van von der den la le dos das del dela della ter ten ap bin ibn st y"
)

LEADING_PARTICLES = _set("de da di du van von del dela della ter ten ap dos das")

NOT_NAMES = _set(
    """
    the a an but and or so yet in on at for of to from by with as if when while after before
    since until because although though however meanwhile moreover also then there here this
    that these those it its he she they we i you his her their our my your him them us me
    who whom whose which what where why how all some many most few several both each every another
    no not yes one two three four five six seven eight nine ten first second last next new
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight
    january february march april june july august september october november december
    mr. asked speaking asking responding writing according under over about despite during
    instead earlier later still now once just only even perhaps indeed speaking
    among amid across along around behind beyond within without through throughout toward
    towards upon like unlike except besides near below above against following including
    regarding concerning despite inside outside
    do does did is are was were has have had could would should shall must
    """
)

ORG_HEADS = _set(
    """
    ministry department dept council police service services agency company co corp
    corporation inc ltd llc plc group bank university college school hospital trust commission
    committee court office authority association federation union institute foundation party
    club fc board parliament government airlines airways motors industries network museum
    centre center society league organisation organization assembly senate congress house
    kremlin pentagon army navy forces guard brigade cabinet administration bureau laboratory
    laboratories labs systems technologies energy pharmaceuticals holdings partners capital
    media news times post press journal tribune herald gazette radio tv television broadcasting
    studios records church charity fund reserve exchange tribunal inquiry panel unit squad
    team united city rovers athletic wanderers institute observatory nhs un nato eu who fbi
    cia nasa bbc reuters ap afp coalition alliance movement campaign front commission
    confederation chamber consortium syndicate cooperative co-operative collective
    stores supermarkets retail foods brands logistics freight shipping mining oil gas water
    zoo aquarium theatre library gallery prison academy hospice
    power electric telecom telecoms pharma robotics devices software airlines railways rail
    """
)

THING_WORDS = _set(
    """
    street road avenue lane river park hall bridge island islands day week year north south
    east west central state states republic kingdom sea ocean lake mountain mountains valley
    airport station square stadium arena act bill law prize award cup olympics championship
    championships open series project programme program plan report index market coast bay
    beach hill hills gardens estate tower building district province region village town
    county shire war summit conference agreement treaty accord deal strategy season final
    finals derby trophy festival games tournament grand prix road highway motorway route line
    mission telescope satellite vaccine virus disease syndrome budget tax scheme
    """
)

PLACE_PREPOSITIONS = _set(
    "in at near across into outside inside throughout towards toward around via between"
)

PRONOUNS = _set("he she they it we i")

SPEECH_VERBS = _set(
    """
    said says say told tells added adds wrote writes asked asks explained explains warned warns
    insisted insists argued argues noted notes tweeted tweets posted posts stated states
    declared declares replied replies responded responds continued continues recalled recalls
    admitted admits acknowledged acknowledges claimed claims suggested suggests stressed
    stresses emphasised emphasized emphasises emphasizes observed observes remarked remarks
    commented comments conceded concedes cautioned cautions announced announces concluded
    concludes urged urges joked jokes laughed shouted whispered cried pleaded predicted
    predicts boasted boasts complained complains lamented laments vowed vows promised promises
    agreed agrees countered counters reiterated reiterates confirmed confirms denied denies
    maintained maintains testified recounted recounts mused quipped snapped retorted exclaimed
    texted wondered wonders pointed explained tells telling saying adding noting warning arguing
    explaining insisting writing asking stressing describing calling described dubbed branded
    labelled labeled termed hailed called fumed raged stormed gushed beamed sighed smiled
    groaned moaned scoffed sneered chuckled grinned begged demanded revealed confessed
    reflected reckoned reckons answered interjected blasted slammed
    """
)

ING_VERBS = frozenset(v for v in SPEECH_VERBS if v.endswith("ing"))

AUXILIARIES = _set(
    """
    has had have would will could should might may also later then once previously earlier
    again simply quietly bluntly recently since subsequently finally additionally further
    repeatedly has since had once
    """
)

UNISEX_NAMES = _set(
    """
    yuki jun li noor nour hikaru akira kaoru makoto nao rin sora andrea jean joan femi
    """
)
"""Given to men and women alike in the culture they come from (Japanese 'Yuki',
Chinese 'Li') or to men in one and women in another (Catalan and English 'Joan'),
so a first-name list is no guide to the pronoun."""

MALE_NAMES = MALE_NAMES - UNISEX_NAMES
FEMALE_NAMES = FEMALE_NAMES - UNISEX_NAMES

ROLE_NOUNS = _set(
    """
    ministry department company firm council police government agency club team university
    hospital spokesperson spokesman spokeswoman official officials prosecutors prosecutor
    authorities military army group union organisation organization campaign party bank
    regulator commission airline school board committee office statement source sources
    coach manager minister judge mayor president chairman chairwoman chief executive director
    lawyer attorney defence defense prosecution doctor doctors scientist scientists researcher
    researchers teacher teachers residents resident witness witnesses neighbour neighbor
    officer officers spokesperson representative owner founder developer developers operator
    court trust charity network broadcaster newspaper station service fire brigade navy force
    judgment ruling report letter study filing indictment complaint lawsuit memo email notice
    survey review document verdict affidavit submission supporters critics opponents
    campaigners protesters activists parents fans experts economists analysts lawmakers
    ministers unions nurses investors shareholders voters locals neighbours villagers workers
    staff employees members leaders organisers organizers volunteers
    """
)

GENERIC_ORGS = _set(
    """
    company firm group business retailer airline carrier manufacturer maker chain operator
    supplier insurer lender developer publisher broadcaster club team side charity organisation
    organization body brand startup service brigade
    """
)

ROLE_SYNONYMS = {
    "club": ("fc", "united", "city", "rovers", "athletic", "wanderers", "town", "albion"),
    "team": ("fc", "united", "city", "rovers", "athletic", "wanderers", "town", "albion"),
    "airline": ("airways", "airlines", "air"),
    "carrier": ("airways", "airlines", "air"),
    "force": ("police",),
    "constabulary": ("police",),
    "administration": ("government",),
    "department": ("ministry", "office"),
    "ministry": ("department",),
    "firm": ("company",),
}

ABBREVIATIONS = _set(
    """
    mr mrs ms mx dr prof sen rep gov gen col lt maj capt sgt cmdr adm det supt insp rev fr st
    jr sr no vs etc inc ltd co corp bros dept univ govt cllr hon pres messrs mme mlle
    """
)

RELATIVES = _set(
    """
    wife husband mother father daughter son sister brother grandmother grandfather grandson
    granddaughter aunt uncle nephew niece cousin partner girlfriend boyfriend widow widower
    friend neighbour neighbor colleague teammate
    """
)

DOCUMENTS = _set(
    """
    statement judgment ruling report letter study filing indictment complaint lawsuit memo
    email notice survey review document verdict affidavit submission
    """
)

GROUP_NOUNS = _set("jury family couple pair duo trio crowd public audience community")

ACRONYM_HEADS = _set("nhs un nato eu who fbi cia nasa bbc ap afp")

PERSON_ROLE_SYNONYMS = {
    "leader": ("president", "prime", "premier", "chancellor", "king", "queen", "emir", "sheikh"),
    "boss": ("manager", "coach", "chief", "executive", "ceo", "chairman", "chairwoman"),
}
