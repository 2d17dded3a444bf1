"""Word lists for the demo population (``casework demo``): names, places and the free text of a
case record. Everything here is fictional; no person, address or identifier is real.

Names are grouped by the cultures most represented among people who speak a language other than
English at home in the United States (the same source as ``casework.core.codes.COMMON_LANGUAGES``),
so a client's name, preferred language and interpreter need fit together.
"""

from __future__ import annotations

from dataclasses import dataclass


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list of names (kept as prose so the lists stay compact)."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


@dataclass(frozen=True)
class Culture:
    key: str
    weight: int
    # (BCP 47 tag, weight): the preferred language of someone from this group.
    languages: tuple[tuple[str, int], ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    # Given to about this share of people as a middle name (the Vietnamese "Thi"/"Van" and the
    # like); English names get an ordinary middle name from the given-name lists instead.
    middle_female: tuple[str, ...] = ()
    middle_male: tuple[str, ...] = ()
    middle_share: float = 0.25


CULTURES: tuple[Culture, ...] = (
    Culture(
        key="anglo",
        weight=34,
        languages=(("en", 1),),
        female=_names(
            "Mary, Patricia, Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, "
            "Nancy, Lisa, Margaret, Sandra, Ashley, Emily, Donna, Michelle, Carol, Amanda, "
            "Melissa, Deborah, Stephanie, Rebecca, Laura, Sharon, Kathleen, Amy, Shirley, Anna, "
            "Brenda, Emma, Megan, Hannah, Olivia, Abigail, Heather, Rachel, Katherine, Judith"
        ),
        male=_names(
            "James, Robert, John, Michael, David, William, Richard, Joseph, Thomas, Charles, "
            "Christopher, Daniel, Matthew, Anthony, Mark, Donald, Steven, Paul, Andrew, Joshua, "
            "Kenneth, Kevin, Brian, George, Timothy, Ronald, Edward, Jason, Jeffrey, Ryan, Gary, "
            "Nicholas, Eric, Jacob, Tyler, Dylan, Kyle, Wayne, Harold, Dale"
        ),
        family=_names(
            "Smith, Johnson, Williams, Brown, Jones, Miller, Davis, Wilson, Anderson, Taylor, "
            "Thomas, Moore, Martin, Thompson, White, Clark, Lewis, Walker, Hall, Allen, Young, "
            "King, Wright, Scott, Green, Baker, Adams, Nelson, Hill, Campbell, Mitchell, Roberts, "
            "Carter, Phillips, Evans, Turner, Parker, Collins, Edwards, Stewart, Morris, Murphy, "
            "Cook, Rogers, O'Brien, McCarthy, Sullivan, Olson, Larson, Schmidt, Kowalski, Novak, "
            "Becker, Lindqvist"
        ),
        middle_share=0.35,
    ),
    Culture(
        key="african_american",
        weight=14,
        languages=(("en", 1),),
        female=_names(
            "Aaliyah, Keisha, Tamika, Latoya, Imani, Ebony, Jasmine, Shanice, Denise, Yolanda, "
            "Gloria, Tiana, Monique, Alicia, Dorothy, Bernice, Tanisha, Kendra, Nia, Zora"
        ),
        male=_names(
            "DeShawn, Marcus, Jamal, Tyrone, Darnell, Andre, Terrence, Malik, Jerome, Reginald, "
            "Cedric, Darius, Isaiah, Xavier, Calvin, Otis, Lamar, Curtis, Kareem, Booker"
        ),
        family=_names(
            "Washington, Jackson, Robinson, Harris, Coleman, Jenkins, Brooks, Bell, Hayes, Gaines, "
            "Freeman, Simmons, Banks, Mosley, Dixon, Holloway, Sims, Pryor, Tate, Ellis, Franklin, "
            "Grant"
        ),
        middle_share=0.35,
    ),
    Culture(
        key="hispanic",
        weight=25,
        languages=(("es", 50), ("es-MX", 15), ("en", 35)),
        female=_names(
            "María, Guadalupe, Rosa, Ana, Carmen, Josefina, Lucía, Isabel, Verónica, Alejandra, "
            "Gabriela, Adriana, Sofía, Valeria, Daniela, Marisol, Yesenia, Leticia, Beatriz, "
            "Elena, Juana, Paola, Ximena, Esperanza, Teresa"
        ),
        male=_names(
            "José, Juan, Luis, Carlos, Jorge, Miguel, Jesús, Francisco, Alejandro, Manuel, "
            "Ricardo, Roberto, Fernando, Javier, Eduardo, Sergio, Andrés, Raúl, Héctor, Diego, "
            "Mateo, Santiago, Óscar, Ramón, Arturo"
        ),
        family=_names(
            "García, Rodríguez, Martínez, Hernández, López, González, Pérez, Sánchez, Ramírez, "
            "Torres, Flores, Rivera, Gómez, Díaz, Reyes, Morales, Cruz, Ortiz, Gutiérrez, Chávez, "
            "Ramos, Ruiz, Mendoza, Vásquez, Castillo, Jiménez, Moreno, Romero, Herrera, Medina, "
            "Aguilar, Vargas, Guzmán, Núñez, Delgado, Contreras, Salazar, Ibarra, Cervantes, "
            "Zamora"
        ),
        middle_female=_names("Guadalupe, del Carmen, Isabel, Luisa, Elena"),
        middle_male=_names("Antonio, Luis, Manuel, José, Ángel"),
        middle_share=0.2,
    ),
    Culture(
        key="vietnamese",
        weight=6,
        languages=(("vi", 70), ("en", 30)),
        female=_names(
            "Lan, Linh, Mai, Hoa, Huong, Thu, Trang, Ngoc, Anh, Phuong, Thao, Hanh, Nga, Yen, Kim, "
            "Tuyet, Hang, Bich, Diep, Loan"
        ),
        male=_names(
            "Minh, Tuan, Hung, Long, Nam, Quang, Huy, Thanh, Duc, Khoa, Phuc, Vinh, Bao, Son, Hai, "
            "Trung, Tam, Hieu, Cuong, Dat"
        ),
        family=_names(
            "Nguyen, Tran, Le, Pham, Hoang, Huynh, Phan, Vu, Vo, Dang, Bui, Do, Ho, Ngo, Duong, "
            "Ly, Truong, Dinh, Lam, Mai"
        ),
        middle_female=_names("Thi, Thi, Ngoc, Thanh, Kim"),
        middle_male=_names("Van, Van, Duc, Minh, Quoc"),
        middle_share=0.7,
    ),
    Culture(
        key="chinese",
        weight=5,
        languages=(("zh", 45), ("yue", 20), ("en", 35)),
        female=_names(
            "Mei, Li, Xiuying, Yan, Jing, Hui, Ling, Fang, Xiaoling, Min, Qing, Yun, Lihua, Shu, "
            "Ying, Hong, Xia, Lan, Wing, Siu Ling"
        ),
        male=_names(
            "Wei, Jian, Hao, Jun, Ming, Lei, Qiang, Tao, Bo, Gang, Yong, Jie, Zhiwei, Guoqiang, "
            "Haoran, Yi, Peng, Feng, Kai, Kwok Wai"
        ),
        family=_names(
            "Wang, Li, Zhang, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, "
            "Lin, He, Gao, Luo, Wong, Chan, Lee, Leung, Chow, Lau, Cheung, Ng"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="somali",
        weight=4,
        languages=(("so", 75), ("en", 25)),
        female=_names(
            "Hodan, Amina, Fadumo, Sahra, Ifrah, Ubah, Hawa, Nimco, Khadra, Maryan, Sagal, Ayan, "
            "Hibo, Deeqa, Filsan"
        ),
        male=_names(
            "Abdirahman, Mohamed, Ahmed, Abdi, Hassan, Liban, Yusuf, Omar, Farah, Mahad, "
            "Abdullahi, Ismail, Guled, Bashir, Khalid"
        ),
        family=_names(
            "Ali, Hassan, Mohamed, Warsame, Farah, Abdi, Yusuf, Osman, Jama, Hersi, Aden, Ismail, "
            "Noor, Dahir, Elmi, Gedi"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="arabic",
        weight=2,
        languages=(("ar", 70), ("en", 30)),
        female=_names(
            "Fatima, Aisha, Mariam, Layla, Noor, Huda, Rania, Samira, Yasmin, Zainab, Amal, Salma, "
            "Dina, Hana, Reem"
        ),
        male=_names(
            "Mohammed, Ahmed, Ali, Omar, Khalid, Yusuf, Hassan, Ibrahim, Tariq, Karim, Samir, "
            "Walid, Faisal, Nabil, Majid"
        ),
        family=_names(
            "Haddad, Khalil, Nasser, Saleh, Hamdan, Darwish, Aziz, Mansour, Qasim, Rahman, Abbas, "
            "Hussein, Jaber, Farouk, Suleiman"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="russian",
        weight=2,
        languages=(("ru", 70), ("en", 30)),
        female=_names(
            "Olga, Natalia, Svetlana, Irina, Elena, Tatiana, Ludmila, Galina, Anastasia, Yulia, "
            "Ekaterina, Marina, Oksana, Valentina, Nadezhda"
        ),
        male=_names(
            "Sergei, Alexei, Dmitri, Ivan, Nikolai, Vladimir, Andrei, Mikhail, Yuri, Pavel, "
            "Viktor, Boris, Oleg, Igor, Anatoly"
        ),
        family=_names(
            "Ivanov, Smirnov, Kuznetsov, Popov, Volkov, Sokolov, Petrov, Morozov, Pavlov, Kozlov, "
            "Novikov, Fedorov, Orlov, Lebedev, Sorokin"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="filipino",
        weight=3,
        languages=(("tl", 45), ("en", 55)),
        female=_names(
            "Rosario, Maricel, Jocelyn, Liza, Analyn, Marites, Rowena, Divina, Erlinda, Imelda, "
            "Corazon, Lorna, Janelle, Kristine, Girlie"
        ),
        male=_names(
            "Rodrigo, Ramon, Eduardo, Renato, Rolando, Ferdinand, Danilo, Reynaldo, Marlon, Noel, "
            "Ariel, Jomar, Arnel, Romeo, Efren"
        ),
        family=_names(
            "Santos, Reyes, Cruz, Bautista, Ocampo, Garcia, Mendoza, Dela Cruz, Villanueva, "
            "Castillo, Aquino, Navarro, Mercado, Manalo, Soriano, Pascual, Dizon"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="haitian",
        weight=3,
        languages=(("ht", 65), ("fr", 10), ("en", 25)),
        female=_names(
            "Marie, Nadège, Fabienne, Guerline, Mirlande, Roseline, Widline, Kettly, Yolette, "
            "Magalie, Esther, Lourdes, Nathalie, Rose-Marie, Judith"
        ),
        male=_names(
            "Jean, Pierre, Jean-Claude, Wilner, Frantz, Emmanuel, Jacques, Lesly, Wilson, Fritz, "
            "Roody, Stanley, Réginald, Evens, Ronel"
        ),
        family=_names(
            "Jean-Baptiste, Pierre, Joseph, Louis, Charles, Étienne, François, Dorvil, Desir, "
            "Augustin, Célestin, Toussaint, Mompremier, Florestal, Saint-Fleur"
        ),
        middle_share=0.0,
    ),
    Culture(
        key="korean",
        weight=2,
        languages=(("ko", 65), ("en", 35)),
        female=_names(
            "Ji-yeon, Min-ji, Seo-yeon, Eun-ji, Hye-jin, Soo-jin, Mi-kyung, Young-hee, Jung-eun, "
            "Hyun-joo, Sun-hee, Eun-young"
        ),
        male=_names(
            "Min-jun, Ji-ho, Seung-hoon, Dong-hyun, Sung-min, Jae-won, Hyun-woo, Young-soo, "
            "Jin-ho, Sang-woo, Kyung-soo, Tae-yang"
        ),
        family=_names(
            "Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Seo, Shin, Kwon"
        ),
        middle_share=0.0,
    ),
)

# A few English given names and the name people go by.
NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Elizabeth": "Liz",
    "Margaret": "Peggy",
    "Katherine": "Kate",
    "Richard": "Rick",
    "Patricia": "Patty",
    "Joseph": "Joe",
    "Anthony": "Tony",
    "Deborah": "Debbie",
}

# Demo County is fictional; so are its towns, streets and postal codes.
CITIES = (
    ("Riverton", "97701"),
    ("Millbrook", "97703"),
    ("Cedar Falls", "97707"),
    ("Harbor Point", "97711"),
    ("Oak Hollow", "97712"),
    ("Pine Ridge", "97720"),
)
STATE = "OR"
STREETS = (
    "Maple Ave",
    "Oak St",
    "Riverside Dr",
    "Cedar Ln",
    "Main St",
    "Elm St",
    "Hillcrest Rd",
    "Lincoln Blvd",
    "Park Ave",
    "Willow Way",
    "Orchard Rd",
    "Mill St",
    "Harbor View Dr",
    "Jefferson St",
    "Washington Ave",
    "Birch Ct",
    "Chestnut St",
    "Valley Rd",
    "Pioneer Pkwy",
    "Juniper Loop",
    "Aspen Ct",
    "Canyon Rd",
)
# 555-0100 to 555-0199 are reserved for fictional use in North American numbering.
PHONE_AREA_CODES = ("541", "458")

AGENCY = "Demo County Health & Human Services"
MEDICAID_ASSIGNER = "State Medicaid Agency (fictional)"
MEDICARE_ASSIGNER = "Centers for Medicare & Medicaid Services (fictional number)"

REFERRAL_SOURCES = (
    "Primary care — Riverton Family Clinic",
    "Emergency department — Demo County General",
    "Inpatient psychiatric unit discharge planner",
    "Self-referral",
    "Family member",
    "Harbor Point Food Bank",
    "Homeless outreach team",
    "Health plan care management",
    "Jail reentry program",
    "Millbrook Senior Center",
    "Crisis line",
    "Cedar Falls Behavioral Health",
)

REFERRAL_REASONS: dict[str, tuple[str, ...]] = {
    "brokerage": (
        "Needs help applying for SNAP and Medicaid.",
        "Facing eviction next month; needs housing assistance.",
        "No primary care provider; missed follow-up after an ED visit.",
        "Needs transportation to medical appointments.",
        "Recently unemployed; needs help with benefits and food.",
        "Older adult living alone; family worried about meals and bills.",
    ),
    "strengths": (
        "Wants help returning to work after a long period of unemployment.",
        "Recently moved into supported housing; wants to build a life in the community.",
        "Isolated since discharge; wants to reconnect with family and church.",
        "Wants to finish a GED and find part-time work.",
        "Living with bipolar disorder; wants support to stay well and keep an apartment.",
    ),
    "integrated": (
        "Three ED visits in six months for uncontrolled diabetes.",
        "Heart failure readmission within 30 days; lives alone.",
        "COPD with frequent exacerbations; struggles to afford inhalers.",
        "Multiple chronic conditions, depression and unstable housing.",
        "Discharged after a stroke; needs coordination of home health and follow-up.",
        "High-cost member flagged by the health plan; eight medications from four prescribers.",
    ),
    "intensive": (
        "Two psychiatric admissions in the last year; not engaged with outpatient care.",
        "Discharged from the state hospital; needs intensive community support.",
        "Homeless with untreated psychosis; outreach team requests ACT.",
        "Frequent crisis contacts and police involvement; stopped medication.",
        "Released from jail with serious mental illness; no follow-up in place.",
    ),
    "clinical": (
        "Moderate depression (PHQ-9 16); needs counselling and help with work stress.",
        "Anxiety and panic attacks; missing work; primary care requests support.",
        "Trauma symptoms after a car accident; needs therapy and coordination.",
        "Alcohol use affecting health and family; wants help cutting down.",
        "Postpartum depression; needs counselling and childcare resources.",
    ),
}

FINDINGS_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
# ICD-10-CM codes confirmed at screening, by program model. Serious mental illness codes fall
# under the intensive program's required F20, F25, F31 and F33 categories.
SMI_FINDINGS = (
    ("F20.9", "Schizophrenia, unspecified"),
    ("F20.0", "Paranoid schizophrenia"),
    ("F25.0", "Schizoaffective disorder, bipolar type"),
    ("F25.1", "Schizoaffective disorder, depressive type"),
    ("F31.2", "Bipolar disorder, current episode manic severe with psychotic features"),
    ("F31.9", "Bipolar disorder, unspecified"),
    ("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),
    ("F33.3", "Major depressive disorder, recurrent, severe with psychotic symptoms"),
)
NON_SMI_FINDINGS = (
    ("F41.1", "Generalized anxiety disorder"),
    ("F43.10", "Post-traumatic stress disorder, unspecified"),
    ("F10.20", "Alcohol dependence, uncomplicated"),
)
FINDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "brokerage": (
        ("Z59.00", "Homelessness, unspecified"),
        ("Z59.41", "Food insecurity"),
        ("Z59.82", "Transportation insecurity"),
        ("Z59.86", "Financial insecurity"),
        ("Z56.0", "Unemployment, unspecified"),
        ("Z60.2", "Problems related to living alone"),
    ),
    "strengths": (
        ("F33.1", "Major depressive disorder, recurrent, moderate"),
        ("F31.9", "Bipolar disorder, unspecified"),
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
        ("Z56.0", "Unemployment, unspecified"),
        ("Z59.01", "Sheltered homelessness"),
    ),
    "integrated": (
        ("E11.9", "Type 2 diabetes mellitus without complications"),
        ("I50.9", "Heart failure, unspecified"),
        ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
        ("I10", "Essential (primary) hypertension"),
        ("N18.30", "Chronic kidney disease, stage 3 unspecified"),
        ("F32.A", "Depression, unspecified"),
    ),
    "clinical": (
        ("F32.1", "Major depressive disorder, single episode, moderate"),
        ("F41.1", "Generalized anxiety disorder"),
        ("F41.0", "Panic disorder [episodic paroxysmal anxiety]"),
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
        ("F43.23", "Adjustment disorder with mixed anxiety and depressed mood"),
        ("F10.10", "Alcohol abuse, uncomplicated"),
    ),
}

WAITLIST_REASONS = (
    "Eligible; no case manager has room yet — added to the waitlist.",
    "Eligible; waiting for an opening on the team.",
)
ON_HOLD_REASONS = (
    "Client admitted to hospital.",
    "Client out of the area caring for a relative for a few weeks.",
    "Client in 28-day residential treatment.",
    "Client asked to pause services for a month.",
)
RESUME_REASONS = ("Client back home; services resumed.", "Pause ended; contact resumed.")
TRANSITION_REASONS = (
    "Goals largely met; planning discharge.",
    "Preparing step-down to a less intensive service.",
    "Client relocating; arranging a handoff.",
)
REOPEN_REASONS = (
    "Client re-referred after a hospital admission; reassessment needed.",
    "Client asked for help again after losing housing.",
    "Symptoms returned; primary care asked us to re-engage.",
)
ENTERED_IN_ERROR_REASONS = (
    "Referral entered for the wrong client.",
    "Entered in the wrong program by mistake.",
)
REASSIGN_REASONS = (
    "Rebalancing caseloads across the team.",
    "Client asked for a different case manager.",
    "Client moved to another part of the county.",
)

# Closures before anyone took the case on: (closure reason, reason text).
REFERRAL_CLOSURES: tuple[tuple[str, str], ...] = (
    ("unable_to_contact", "No response to three calls and a letter within 14 days of referral."),
    ("duplicate", "Duplicate of a referral received the same week."),
    ("declined", "Client declined services when first contacted."),
)
SCREENING_CLOSURES: tuple[tuple[str, str], ...] = (
    ("declined", "Client declined services at the screening call."),
    ("ineligible", "Already enrolled in health-plan care management; referred back to the plan."),
    ("ineligible", "Lives outside Demo County; referred to the county of residence."),
)
INTENSIVE_INELIGIBLE = (
    "ineligible",
    "Screening found no qualifying serious mental illness diagnosis; referred to Outpatient "
    "Clinical Case Management instead.",
)
WAITLIST_CLOSURES: tuple[tuple[str, str], ...] = (
    ("declined", "Client chose not to wait; given a community resource list."),
    ("moved", "Client moved out of the county while on the waitlist."),
)

# Closures of enrolled cases: (closure reason, reason, discharge summary).
PLANNED_CLOSURES: tuple[tuple[str, str, str], ...] = (
    (
        "goals_met",
        "Care plan goals met.",
        "Goals in the care plan met. Client manages appointments and benefits independently; no "
        "open referrals. Re-referral information given.",
    ),
    (
        "connected_to_services",
        "Connected to ongoing services.",
        "Connected to primary care and community services; first appointments kept. Client "
        "agreed to close case management.",
    ),
    (
        "stepped_down",
        "Stable; stepped down.",
        "Stable for several months with no crisis contacts or admissions. Stepped down to a less "
        "intensive service with a warm handoff.",
    ),
    (
        "transferred",
        "Transferred at the client's request.",
        "Transferred to another agency at the client's request; records sent with consent.",
    ),
)
UNPLANNED_CLOSURES: tuple[tuple[str, str, str], ...] = (
    (
        "unable_to_contact",
        "Lost to follow-up.",
        "Three phone attempts, a letter and a home visit over 30 days with no response. Closed "
        "per outreach policy; the client may re-refer at any time.",
    ),
    (
        "moved",
        "Client moved away.",
        "Client moved out of Demo County; given contacts for services in the new area.",
    ),
    (
        "declined",
        "Client withdrew.",
        "Client declined further case management after discussing options; knows how to re-refer.",
    ),
    (
        "hospitalized_long_term",
        "Long-term placement.",
        "Client admitted to the state hospital for long-term treatment; inpatient social worker "
        "informed and records shared with consent.",
    ),
    (
        "incarcerated",
        "Client incarcerated.",
        "Client incarcerated; jail health services and the reentry program notified with consent.",
    ),
)
