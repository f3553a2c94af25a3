//! Street addresses and postcode-and-town lines (see the parent module's table).

use std::sync::LazyLock;

use regex::Regex;

use super::{push, starts_word};
use crate::finding::Finding;

/// USPS Publication 28 street suffixes (and their usual abbreviations), and Indian ones.
const STREET_TYPES: &str = "Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|Square|Sq|Terrace|Ter|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|Trl|Crescent|Close|Grove|Gardens|Mews|Row|Walk|Hill|Hills|Park|Plaza|Alley|Aly|Path|Pike|Turnpike|Expressway|Expy|Freeway|Fwy|Loop|Run|Crossing|Xing|Point|Pt|Points|Ridge|Ridges|Heights|Hts|View|Views|Vista|Shore|Shores|Harbor|Harbour|Harbors|Island|Islands|Isle|Inlet|Lake|Lakes|Creek|River|Valley|Valleys|Glen|Glens|Green|Greens|Meadow|Meadows|Mill|Mills|Mountain|Mountains|Mount|Mt|Pines|Port|Ports|Ranch|Springs|Spring|Station|Summit|Tunnel|Viaduct|Village|Villages|Well|Wells|Woods|Estate|Estates|Field|Fields|Flat|Flats|Ford|Fords|Forest|Forge|Forges|Fork|Forks|Fort|Garden|Gateway|Haven|Hollow|Junction|Junctions|Key|Keys|Knoll|Knolls|Landing|Light|Lights|Lock|Locks|Lodge|Manor|Manors|Neck|Orchard|Oval|Pass|Passage|Plain|Plains|Prairie|Rapid|Rapids|Rest|Route|Shoal|Shoals|Skyway|Spur|Spurs|Stream|Throughway|Trace|Track|Trafficway|Underpass|Ville|Burg|Burgs|Bypass|Camp|Canyon|Cape|Causeway|Center|Centers|Centre|Cliff|Cliffs|Club|Common|Commons|Corner|Corners|Course|Cove|Coves|Crest|Curve|Dale|Dam|Divide|Extension|Extensions|Falls|Ferry|Bridge|Brook|Brooks|Bluff|Bluffs|Bottom|Branch|Beach|Bend|Mall|Motorway|Overpass|Parks|Radial|Ramp|Squares|Stravenue|Streets|Trailer|Unions|Ways|Wall|Nagar|Marg|Chowk|Colony|Ganj|Pura|Puram|Peth|Halli|Layout|Enclave|Vihar|Bagh|Zila|Path|Gali|Road|Pine|Union|Plaza";

/// Romance-language street types that come before the name.
const STREET_TYPES_BEFORE: &str = "acceso|bajada|cuesta|senda|vial|carretera|pasadizo|sector|rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|route|cours|calle|avenida|avda\\.?|plaza|paseo|camino|ronda|callejón|glorieta|pasaje|cañada|carrera|alameda|rambla|travesía|urbanización|via|viale|piazza|corso|largo|vicolo|strada|contrada|borgo|incrocio|rotonda|piazzale|stretto|canale|vico|rua|praça|travessa|estrada";

/// German and Dutch street-name endings.
const STREET_ENDINGS: &str = "straße|strasse|str\\.|weg|baan|platz|allee|gasse|ring|damm|ufer|steig|pfad|chaussee|markt|straat|laan|plein|gracht|kade|singel|dijk|pad|hof|dreef|steeg";

const UNIT: &str = r"(?:,?\ (?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Fl\.?|Floor|\#|Piso|Puerta|Esc\.|Interno|Int\.)\ ?[\w-]{1,6})";

/// Whether `lower` (a lower-cased word) is a street type of [`STREET_TYPES`] or
/// [`STREET_TYPES_BEFORE`] (`pines`, `route`, `calle`): the NER tagger's cue that a name is a
/// street's.
pub(crate) fn is_street_type(lower: &str) -> bool {
    static TYPES: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
        STREET_TYPES
            .split('|')
            .chain(STREET_TYPES_BEFORE.split('|'))
            .map(|t| t.trim_end_matches("\\.?").to_lowercase())
            .collect()
    });
    TYPES.contains(lower)
}

static STREET_NUMBER_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)(?-u:\b)[0-9]{{1,6}}[A-Za-z]?,?\ (?:\p{{Lu}}[\p{{L}}'’.-]*\ ){{1,4}}?(?:{STREET_TYPES})(?-u:\b)\.?{UNIT}*"
    ))
    .unwrap()
});
static STREET_TYPE_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)(?:(?-u:\b)[0-9]{{1,4}}(?:\ ?(?:bis|ter))?,?\ )?(?i:{STREET_TYPES_BEFORE})\ (?:(?:de\ la|de\ las|de\ los|de\ l'|del|de|di|della|delle|dei|degli|du|des|d'|da|do|dos|das)\ ?)?\p{{Lu}}['’]?\p{{Ll}}[\p{{L}}'’-]*(?:\ (?:(?:de|del|di|y|e|la|le)\ )?\p{{Lu}}[\p{{L}}'’-]*){{0,3}}(?:,?\ [0-9]{{1,4}}[A-Za-z]?(?-u:\b){UNIT}*)?"
    ))
    .unwrap()
});
static STREET_COMPOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?x)\p{{Lu}}[\p{{L}}-]*(?i:{STREET_ENDINGS})\ [0-9]{{1,4}}\ ?[a-zA-Z]?(?:\ ?[-/]\ ?[0-9]{{1,4}}[a-zA-Z]?)?(?-u:\b)"
    ))
    .unwrap()
});
/// `Town, ST 12345(-6789)`.
static US_CITY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Lu}[\p{L}.'-]*(?: \p{Lu}[\p{L}.'-]*){0,3}, (?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]|PR)(?: [0-9]{5}(?:-[0-9]{4})?)?(?-u:\b)").unwrap()
});
static UK_POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\p{Lu}[\p{L}'-]*,? ){0,3}[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}(?-u:\b)")
        .unwrap()
});
static NL_POSTCODE_CITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]{4} ?[A-Z]{2} \p{Lu}[\p{L}'-]*(?:[ -]\p{Lu}[\p{L}'-]*){0,2}").unwrap()
});
/// A four- or five-digit postcode then the town, at the start of a line or after a comma.
static POSTCODE_CITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(?:^|[,;] ?)([0-9]{4,5} \p{Lu}[\p{L}'’-]*(?:[ -](?:(?:sur|sous|de|di|del|la|le|am|an|im|bei|in|en)[ -])?\p{Lu}[\p{L}'’-]*){0,3})").unwrap()
});
static IN_CITY_PIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{Lu}\p{L}*(?: \p{Lu}\p{L}*){0,2} - [0-9]{6}(?-u:\b)").unwrap());
static ZIP_PLUS_FOUR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[0-9]{5}-[0-9]{4}(?-u:\b)").unwrap());

/// Reports every match of `re` in `text` that starts a word, with the score `score` gives it
/// (`None`: not reported).
fn each_word_match(
    re: &Regex,
    text: &str,
    rule: &'static str,
    out: &mut Vec<Finding>,
    score: impl Fn(&str) -> Option<f64>,
) {
    for m in re.find_iter(text) {
        if starts_word(text, m.start()) {
            if let Some(v) = score(m.as_str()) {
                push(out, m.start(), m.end(), v, rule);
            }
        }
    }
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|c| c.is_ascii_digit())
}

pub(super) fn streets(text: &str, out: &mut Vec<Finding>) {
    const STREET: &str = "street_address";
    each_word_match(&STREET_NUMBER_FIRST, text, STREET, out, |_| Some(0.6));
    each_word_match(&STREET_TYPE_FIRST, text, STREET, out, |s| {
        // A lower-case type that is also an English or Italian word needs a number:
        // `via Email` is not a street, `via Roma 12` is; `rue Perrin` is.
        let word = s.split(' ').next().unwrap_or("");
        let english = [
            "via", "place", "route", "cours", "largo", "corso", "canale", "rotonda",
        ];
        match has_digit(s) {
            true => Some(0.6),
            false if english.contains(&word) => None,
            false => Some(0.5),
        }
    });
    each_word_match(&STREET_COMPOUND, text, STREET, out, |_| Some(0.6));
}

pub(super) fn postcode_lines(text: &str, out: &mut Vec<Finding>) {
    const LINE: &str = "postcode_city";
    each_word_match(&US_CITY_LINE, text, LINE, out, |s| {
        Some(if has_digit(s) { 0.7 } else { 0.5 })
    });
    each_word_match(&UK_POSTCODE, text, LINE, out, |s| {
        Some(if s.contains(char::is_lowercase) {
            0.7
        } else {
            0.5
        })
    });
    each_word_match(&NL_POSTCODE_CITY, text, LINE, out, |_| Some(0.6));
    // After a comma or at a line's start (group 1), the town known or not.
    for c in POSTCODE_CITY.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        let town = m.as_str().split_once(' ').map_or("", |t| t.1);
        let known = super::gazetteer::is_place(town);
        push(
            out,
            m.start(),
            m.end(),
            if known { 0.6 } else { 0.45 },
            LINE,
        );
    }
    each_word_match(&IN_CITY_PIN, text, LINE, out, |_| Some(0.6));
    each_word_match(&ZIP_PLUS_FOUR, text, "zip_plus_four", out, |_| Some(0.4));
}
