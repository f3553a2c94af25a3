//! LIME for tabular data (Ribeiro, Singh & Guestrin 2016), as the `lime` package's `LimeTabularExplainer`.
