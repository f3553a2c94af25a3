//! Column names as evidence of personal data.
//!
//! A column called `last` holds surnames whether or not a name recognizer knows them, and a
//! column called `c_case_number` holds case numbers that no pattern can tell from any other code.
//! Column-level detection weighs the header as well as the cells: [`hint`] reads a header as
//! tokens (lower case, split at non-alphanumerics and at lower-to-upper case changes, so that
//! `lastName`, `LAST_NAME` and `last-name` read the same) and says which entity type the name
//! announces, and whether such a column identifies a person by itself (a direct identifier in the
//! sense of HIPAA's Safe Harbor list, 45 CFR 164.514(b)(2), and the ICO's anonymisation guidance:
//! names, dates of birth, record and case numbers, contact details, account and document
//! numbers) or only in combination (a quasi-identifier such as a ZIP code; Sweeney 2002).

/// The entity type of record identifiers (ids, case, account and record numbers), which no
/// text recognizer finds: only a column's name reveals them.
pub const RECORD_ID: &str = "RECORD_ID";

/// Every entity type a column can be classified as (and masked as): the recognizers' types
/// and [`RECORD_ID`], sorted.
pub fn column_entities() -> Vec<&'static str> {
    let mut v = crate::analyzer::supported_entities();
    v.push(RECORD_ID);
    v.sort_unstable();
    v
}

/// What a column's name says about its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameHint {
    /// The entity type the name announces (Presidio's names, or [`RECORD_ID`]).
    pub entity_type: &'static str,
    /// What the name means, for messages ("a surname", "a date of birth", ...).
    pub meaning: &'static str,
    /// Whether such a column identifies a person by itself.
    pub direct: bool,
}

/// The header's tokens: lower case, split at non-alphanumerics and where a lower-case letter or
/// digit is followed by an upper-case one.
pub fn tokens(header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in header.trim().chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

const fn h(entity_type: &'static str, meaning: &'static str, direct: bool) -> NameHint {
    NameHint {
        entity_type,
        meaning,
        direct,
    }
}

/// Whole names (tokens joined by `_`) and what they announce.
const WHOLE: &[(&[&str], NameHint)] = &[
    (
        &[
            "name",
            "fullname",
            "full_name",
            "person",
            "person_name",
            "patient",
            "patient_name",
            "customer_name",
            "client_name",
            "employee_name",
            "applicant_name",
            "member_name",
            "contact_name",
        ],
        h("PERSON", "a person's name", true),
    ),
    (
        &[
            "first",
            "firstname",
            "first_name",
            "fname",
            "given_name",
            "givenname",
            "forename",
            "forenames",
            "middle_name",
            "middlename",
        ],
        h("PERSON", "a given name", true),
    ),
    (
        &[
            "last",
            "lastname",
            "last_name",
            "lname",
            "surname",
            "family_name",
            "familyname",
            "maiden_name",
            "maidenname",
        ],
        h("PERSON", "a surname", true),
    ),
    (
        &[
            "dob",
            "d_o_b",
            "birthdate",
            "birth_date",
            "date_of_birth",
            "dateofbirth",
            "birthday",
            "birth_day",
            "bdate",
        ],
        h("DATE_TIME", "a date of birth", true),
    ),
    (
        &[
            "ssn",
            "social_security_number",
            "social_security",
            "socialsecuritynumber",
            "national_insurance_number",
        ],
        h("US_SSN", "a social security number", true),
    ),
    (
        &["email", "e_mail", "email_address", "emailaddress", "mail"],
        h("EMAIL_ADDRESS", "an email address", true),
    ),
    (
        &[
            "phone",
            "telephone",
            "tel",
            "mobile",
            "cellphone",
            "cell_phone",
            "phone_number",
            "phonenumber",
        ],
        h("PHONE_NUMBER", "a phone number", true),
    ),
    (
        &["vin", "vin_number", "vehicle_id", "chassis_number"],
        h("VEHICLE_ID", "a vehicle identification number", true),
    ),
    (
        &[
            "license_plate",
            "licence_plate",
            "plate_number",
            "number_plate",
            "registration_plate",
        ],
        h("LICENSE_PLATE", "a licence plate", true),
    ),
    (
        &[
            "serial_number",
            "serial_no",
            "imei",
            "mac_address",
            "device_id",
            "device_serial",
            "udi",
        ],
        h("DEVICE_ID", "a device identifier", true),
    ),
    (
        &["fax", "fax_number", "faxnumber", "facsimile"],
        h("FAX_NUMBER", "a fax number", true),
    ),
    (
        &["ip", "ip_address", "ipaddress", "ip_addr"],
        h("IP_ADDRESS", "an IP address", true),
    ),
    (
        &["iban", "iban_code"],
        h("IBAN_CODE", "a bank account (IBAN)", true),
    ),
    (
        &[
            "credit_card",
            "creditcard",
            "card_number",
            "cardnumber",
            "cc_number",
            "ccn",
        ],
        h("CREDIT_CARD", "a payment card number", true),
    ),
    (
        &["passport", "passport_number", "passport_no"],
        h("US_PASSPORT", "a passport number", true),
    ),
    (
        &[
            "driver_license",
            "drivers_license",
            "driving_licence",
            "driver_licence",
            "dl_number",
            "license_number",
            "licence_number",
        ],
        h("US_DRIVER_LICENSE", "a driver's licence number", true),
    ),
    (
        &[
            "mrn",
            "medical_record_number",
            "medical_record",
            "medical_record_no",
        ],
        h("MEDICAL_RECORD_NUMBER", "a medical record number", true),
    ),
    (
        &[
            "zip",
            "zipcode",
            "zip_code",
            "postcode",
            "post_code",
            "postal_code",
            "postalcode",
        ],
        h("US_ZIP_CODE", "a postal code", false),
    ),
    (
        &["id", "uuid", "guid", "record_id", "recordid"],
        h(RECORD_ID, "a record identifier", true),
    ),
];

/// Which people a `*_name` column names.
const PERSON_ROLES: &[&str] = &[
    "first",
    "last",
    "full",
    "given",
    "family",
    "middle",
    "maiden",
    "sur",
    "patient",
    "customer",
    "client",
    "employee",
    "applicant",
    "member",
    "contact",
    "person",
    "user",
    "account",
    "holder",
    "candidate",
    "student",
    "driver",
    "owner",
    "mother",
    "father",
    "spouse",
];

/// What the column `header` announces by its name, if anything.
pub fn hint(header: &str) -> Option<NameHint> {
    let t = tokens(header);
    if t.is_empty() {
        return None;
    }
    let whole = t.join("_");
    if let Some((_, hint)) = WHOLE
        .iter()
        .find(|(names, _)| names.contains(&whole.as_str()))
    {
        return Some(*hint);
    }
    let last = t.last().map(String::as_str).unwrap_or("");
    let before = t.len().checked_sub(2).map(|i| t[i].as_str());
    // `patient_last_name`, `applicantName`, `user_name`.
    if last == "name" && before.is_some_and(|b| PERSON_ROLES.contains(&b)) {
        return Some(h("PERSON", "a person's name", true));
    }
    if last == "surname" || last == "lastname" || last == "firstname" {
        return Some(h("PERSON", "a person's name", true));
    }
    let has = |w: &str| t.iter().any(|x| x == w);
    if has("ssn") {
        return Some(h("US_SSN", "a social security number", true));
    }
    if has("email") {
        return Some(h("EMAIL_ADDRESS", "an email address", true));
    }
    if has("phone") || has("telephone") || has("mobile") {
        return Some(h("PHONE_NUMBER", "a phone number", true));
    }
    if has("dob") || (has("birth") && (has("date") || has("day"))) {
        return Some(h("DATE_TIME", "a date of birth", true));
    }
    if has("mrn") {
        return Some(h("MEDICAL_RECORD_NUMBER", "a medical record number", true));
    }
    if has("passport") {
        return Some(h("US_PASSPORT", "a passport number", true));
    }
    // `applicant_id`, `patientId`, `c_case_number`, `account_no`, `record_num`.
    let numbered = ["number", "no", "num", "nr"];
    let identified = [
        "case",
        "account",
        "record",
        "file",
        "docket",
        "booking",
        "inmate",
        "patient",
        "member",
        "customer",
        "client",
        "employee",
        "applicant",
        "policy",
        "claim",
        "license",
        "licence",
        "tax",
        "national",
        "student",
        "person",
    ];
    if last == "id" || last == "uuid" || last == "guid" {
        return Some(h(RECORD_ID, "a record identifier", true));
    }
    if numbered.contains(&last) && before.is_some_and(|b| identified.contains(&b)) {
        return Some(h(RECORD_ID, "a record or case number", true));
    }
    if last == "casenumber" || last == "caseno" {
        return Some(h(RECORD_ID, "a record or case number", true));
    }
    if last == "zip" || last == "zipcode" || last == "postcode" {
        return Some(h("US_ZIP_CODE", "a postal code", false));
    }
    None
}

/// Whether a cell holds a value that masking left (`<PERSON>`, `****`, `[REDACTED]`), not data.
pub fn is_masked(cell: &str) -> bool {
    let c = cell.trim();
    let placeholder = c.len() > 2
        && ((c.starts_with('<') && c.ends_with('>')) || (c.starts_with('[') && c.ends_with(']')))
        && c[1..c.len() - 1]
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch == '_');
    placeholder || (!c.is_empty() && c.chars().all(|ch| ch == '*' || ch == '#'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(header: &str) -> Option<(&'static str, bool)> {
        hint(header).map(|h| (h.entity_type, h.direct))
    }

    #[test]
    fn compas_headers() {
        assert_eq!(kind("name"), Some(("PERSON", true)));
        assert_eq!(kind("first"), Some(("PERSON", true)));
        assert_eq!(kind("last"), Some(("PERSON", true)));
        assert_eq!(kind("dob"), Some(("DATE_TIME", true)));
        assert_eq!(kind("c_case_number"), Some((RECORD_ID, true)));
        assert_eq!(kind("r_case_number"), Some((RECORD_ID, true)));
        assert_eq!(kind("vr_case_number"), Some((RECORD_ID, true)));
        assert_eq!(kind("id"), Some((RECORD_ID, true)));
        for not in [
            "sex",
            "age",
            "age_cat",
            "race",
            "priors_count",
            "c_charge_desc",
            "decile_score",
            "c_offense_date",
            "screening_date",
            "days_b_screening_arrest",
            "start",
            "end",
            "event",
            "two_year_recid",
            "is_recid",
            "c_charge_degree",
            "score_text",
        ] {
            assert_eq!(hint(not), None, "{not}");
        }
    }

    #[test]
    fn spellings_read_the_same() {
        for h in [
            "lastName",
            "LAST_NAME",
            "last-name",
            "Last Name",
            "surname",
            "patient_last_name",
        ] {
            assert_eq!(kind(h), Some(("PERSON", true)), "{h}");
        }
        for h in [
            "applicant_id",
            "patientId",
            "PatientID",
            "account_no",
            "case number",
            "uuid",
        ] {
            assert_eq!(kind(h), Some((RECORD_ID, true)), "{h}");
        }
        assert_eq!(kind("Date of Birth"), Some(("DATE_TIME", true)));
        assert_eq!(kind("home_phone"), Some(("PHONE_NUMBER", true)));
        assert_eq!(kind("work_email"), Some(("EMAIL_ADDRESS", true)));
        assert_eq!(kind("zip_code"), Some(("US_ZIP_CODE", false)));
        assert_eq!(tokens("PatientID"), ["patient", "id"]);
        assert_eq!(tokens("c_case_number"), ["c", "case", "number"]);
    }

    #[test]
    fn names_that_are_not_personal() {
        for h in [
            "company_name",
            "product_name",
            "file_name",
            "last_visit",
            "first_seen",
            "income",
            "hours-per-week",
            "education-num",
            "gender",
            "years_experience",
            "hired",
            "valid",
            "identity_score",
        ] {
            assert_eq!(hint(h), None, "{h}");
        }
    }

    #[test]
    fn masked_cells() {
        for c in ["<PERSON>", "<RECORD_ID>", "[REDACTED]", "****", "###"] {
            assert!(is_masked(c), "{c}");
        }
        for c in ["hernandez", "<b>", "13011352CF10A", "", "<>"] {
            assert!(!is_masked(c), "{c}");
        }
    }
}
