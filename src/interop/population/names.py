"""Embedded name lists for synthetic people (no external data).

Names are drawn uniformly from small lists per *name group*; a person's group
follows their place of birth (:data:`COUNTRY_GROUP`), and for the US-born the
shares in :class:`interop.population.calibration.NameModel`. The lists hold
common names only, so that no combination points at a real person any more
than "John Smith" does.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["COUNTRY_GROUP", "GROUPS", "NameGroup"]


class NameGroup:
    """Given names (male, female) and surnames of one group."""

    __slots__ = ("female", "male", "name", "surnames")

    def __init__(self, name: str, male: str, female: str, surnames: str) -> None:
        self.name = name
        self.male = tuple(male.split())
        self.female = tuple(female.split())
        self.surnames = tuple(s.replace("_", " ") for s in surnames.split())


GROUPS = (
    NameGroup(
        "general",
        male="James John Robert Michael William David Richard Joseph Thomas Charles "
        "Christopher Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth "
        "Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas "
        "Eric Jonathan Stephen Larry Justin Scott Brandon",
        female="Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen "
        "Lisa Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda "
        "Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela "
        "Shirley Anna Brenda Pamela Emma Nicole Helen",
        surnames="Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor "
        "Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young "
        "Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner "
        "Phillips Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers "
        "Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood "
        "Watson Brooks Bennett Gray James Hughes Price Sanders Myers Long Ross Foster",
    ),
    NameGroup(
        "hispanic",
        male="José Juan Luis Carlos Jesús Miguel Francisco Jorge Antonio Alejandro Pedro "
        "Manuel Ricardo Fernando Javier Roberto Eduardo Mario Rafael Sergio Raúl Arturo "
        "Héctor Óscar Víctor Ramón Enrique Gerardo Rubén Salvador Julio Alberto Andrés "
        "Diego Marco Hugo Armando Ernesto Guillermo Daniel",
        female="María Guadalupe Juana Margarita Rosa Ana Verónica Leticia Teresa Patricia "
        "Elizabeth Gabriela Alejandra Adriana Claudia Silvia Laura Martha Lucía Sandra "
        "Carmen Isabel Yolanda Araceli Mónica Norma Blanca Sofía Daniela Fernanda Paola "
        "Angélica Rocío Gloria Esperanza Carolina Diana Karina Cristina Irma",
        surnames="García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez "
        "Torres Flores Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Chávez Ramos "
        "Ruiz Álvarez Mendoza Vásquez Castillo Jiménez Moreno Romero Herrera Medina Aguilar "
        "Vargas Guzmán Salazar Castro Juárez Domínguez Rojas Contreras Luna Ortega Delgado "
        "Estrada Sandoval Ríos Núñez Cabrera Campos Vega Fuentes Cervantes Maldonado "
        "Ibarra Acosta Navarro Soto Pacheco Mejía Cortés",
    ),
    NameGroup(
        "east_asian",
        male="Wei Jun Hao Ming Lei Jian Tao Yong Min-jun Ji-hoon Seo-jun Hyun-woo Dong-hyun "
        "Hiroshi Takeshi Kenji Minh Anh Tuan Hung Duc Quang Long Thanh",
        female="Mei Li Xiu Ying Fang Hui Jing Yan Ji-woo Seo-yeon Min-seo Hye-jin Eun-ji "
        "Yuki Akiko Keiko Lan Linh Hoa Thu Mai Huong Ngoc Trang",
        surnames="Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Lin Kim "
        "Lee Park Choi Jung Kang Cho Yoon Jang Lim Nguyen Tran Le Pham Hoang Phan Vu Dang "
        "Bui Do Tanaka Suzuki Sato Watanabe Ito",
    ),
    NameGroup(
        "south_asian",
        male="Rahul Amit Sanjay Vijay Rajesh Suresh Anil Ravi Arjun Vikram Deepak Manoj "
        "Rohan Karan Ajay Ashok Imran Ahmed Ali Hassan Bilal Usman Tariq Farhan",
        female="Priya Anjali Sunita Pooja Neha Kavita Deepa Asha Meena Lakshmi Divya "
        "Shreya Aisha Fatima Ayesha Sana Nadia Zainab Rubina Shabnam",
        surnames="Patel Shah Singh Kumar Sharma Gupta Mehta Desai Reddy Rao Iyer Nair Joshi "
        "Verma Chaudhary Malik Khan Ahmed Hussain Qureshi Chowdhury Rahman Islam Siddiqui",
    ),
    NameGroup(
        "filipino",
        male="Jose Mark John Michael Ronald Joel Jerome Rodel Romeo Eduardo Ramon Christian "
        "Jayson Rommel Noel Reynaldo Danilo Arnel Ariel Ferdinand",
        female="Maria Mary Grace Joy Rose Marilou Lourdes Rosario Analyn Maricel Jocelyn "
        "Cristina Girlie Lovely Rowena Jennifer Marites Ligaya Erlinda Teresita",
        surnames="Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Torres Tomas Andrada "
        "Castillo Flores Villanueva Ramos Castro Rivera Aquino Navarro Salazar Mercado "
        "dela_Cruz Del_Rosario Manalo Pascual Dizon Soriano Gonzales Lopez",
    ),
)
"""All name groups; the index of a group is its code in the generator's arrays."""

_GROUP_INDEX = {g.name: i for i, g in enumerate(GROUPS)}
_HISPANIC = "MX GT SV HN NI CR PA CU DO CO PE EC VE BO CL AR UY PY BR PR"
_EAST_ASIAN = "CN TW HK KR JP VN"
_SOUTH_ASIAN = "IN PK BD NP LK"

COUNTRY_GROUP = MappingProxyType(
    {
        **dict.fromkeys(_HISPANIC.split(), _GROUP_INDEX["hispanic"]),
        **dict.fromkeys(_EAST_ASIAN.split(), _GROUP_INDEX["east_asian"]),
        **dict.fromkeys(_SOUTH_ASIAN.split(), _GROUP_INDEX["south_asian"]),
        "PH": _GROUP_INDEX["filipino"],
    }
)
"""Name group (index into :data:`GROUPS`) by ISO country code; any other country: 0."""
