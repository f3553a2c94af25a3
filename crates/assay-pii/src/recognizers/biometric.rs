//! Biometric identifiers and full-face photographs named in text (HIPAA Safe Harbor
//! (b)(2)(i)(P) "biometric identifiers, including finger and voice prints" and (Q) "full-face
//! photographs and any comparable images"). Text cannot hold the biometric itself; what it
//! holds is a reference to one (`fingerprint scan on file`, `retinal scan`, `voiceprint`,
//! `passport photo`, `headshot attached: jdoe.jpg`), which tells a reviewer that the record
//! links to such data.
//!
//! * `BIOMETRIC`: fingerprints, palm and thumb prints, retina and iris scans, voiceprints,
//!   face prints and facial-geometry or facial-recognition data, hand geometry, DNA and
//!   genetic profiles, gait signatures, and "biometric data/template/identifier" (0.7). Not a
//!   key's, a browser's, a file's or a certificate's "fingerprint".
//! * `PHOTO`: full-face photographs, passport, ID and mug shots, headshots, photographs of a
//!   patient, client, applicant or face (0.7), and image file names (`.jpg`, `.png`, `.heic`,
//!   ...) after such a mention or the words photo, picture, image or selfie (0.6).

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Finding;

pub const CONTEXT: &[&str] = &["biometric", "photo", "scan"];

static BIOMETRIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:finger|thumb|palm|voice|face)[ -]?prints?(?:[ ](?:scans?|templates?|records?|data))?|retina(?:l)?[ ]scans?|iris[ ](?:scans?|patterns?|templates?|images?)|facial[ ](?:geometry|recognition[ ](?:data|templates?|scans?)|scans?|templates?)|hand[ ]geometry|dna[ ](?:profiles?|samples?|sequences?)|genetic[ ](?:profiles?|markers?|data)|gait[ ](?:patterns?|signatures?)|biometric[ ](?:data|templates?|identifiers?|records?|samples?|scans?))\b",
    )
    .unwrap()
});
/// Words before "fingerprint" that make it a digest, not a person's print.
const NOT_A_PRINT: &[&str] = &[
    "key",
    "ssh",
    "gpg",
    "pgp",
    "tls",
    "ssl",
    "certificate",
    "browser",
    "device",
    "file",
    "digital",
    "public",
    "host",
    "sha256",
    "sha-256",
    "md5",
];
static PHOTO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:full[- ]face[ ](?:photo(?:graph)?s?|images?|pictures?)|(?:passport|id|identity|mug)[ -]?(?:photo(?:graph)?s?|shots?|pictures?)|head[ -]?shots?|photo(?:graph)?s?[ ]of[ ](?:the[ ]|her[ ]|his[ ]|their[ ])?(?:patient|client|applicant|subject|face|employee|victim|suspect|child)|facial[ ](?:photo(?:graph)?s?|images?))\b",
    )
    .unwrap()
});
static IMAGE_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b[\w-]+\.(?:jpe?g|png|heic|tiff?|bmp|gif|webp)\b").unwrap());
static PHOTO_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:photo(?:graph)?s?|pictures?|images?|selfies?|headshots?|shots?)\b")
        .unwrap()
});

pub fn find(text: &str, out: &mut Vec<Finding>) {
    for m in BIOMETRIC.find_iter(text) {
        let before = crate::context::preceding_keywords(text, m.start(), 1);
        if m.as_str().to_lowercase().starts_with("finger")
            && before.iter().any(|w| NOT_A_PRINT.contains(&w.as_str()))
        {
            continue;
        }
        out.push(Finding::new(
            "BIOMETRIC",
            m.start(),
            m.end(),
            0.7,
            "biometric_term",
        ));
    }
    for m in PHOTO.find_iter(text) {
        out.push(Finding::new(
            "PHOTO",
            m.start(),
            m.end(),
            0.7,
            "photo_reference",
        ));
    }
    for m in IMAGE_FILE.find_iter(text) {
        // A cue in the 60 bytes before the file name, on its line.
        if PHOTO_CUE.is_match(crate::context::line_before(text, m.start(), 60)) {
            out.push(Finding::new("PHOTO", m.start(), m.end(), 0.6, "photo_file"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recognizers::found_by;

    #[test]
    fn biometric_and_photo_references() {
        let t = "Fingerprint scan and retinal scan on file; voiceprint enrolled; DNA profile \
                 sent. Passport photo and full-face photograph attached: j_doe-2024.JPG. \
                 Photos of the patient in chart.";
        let got: Vec<(&str, f64)> = found_by(find, t);
        let spans: Vec<&str> = got.iter().map(|g| g.0).collect();
        assert_eq!(
            spans,
            [
                "Fingerprint scan",
                "retinal scan",
                "voiceprint",
                "DNA profile",
                "Passport photo",
                "full-face photograph",
                "Photos of the patient",
                "j_doe-2024.JPG"
            ]
        );
    }

    #[test]
    fn digests_logos_and_other_photos_are_not() {
        for t in [
            "SSH key fingerprint SHA256:abc, TLS certificate fingerprint",
            "browser fingerprint blocked",
            "photosynthesis in the leaf; photos of the building",
            "logo.png and chart.svg in the repo",
            "the print shop; the face of the building",
        ] {
            assert!(found_by(find, t).is_empty(), "{t}: {:?}", found_by(find, t));
        }
    }
}
