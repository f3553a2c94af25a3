//! Risk tier under the EU AI Act (Regulation (EU) 2024/1689) from a questionnaire.
//!
//! The tiers and the order in which they are decided follow the Act:
//! 1. **prohibited** if the system performs any practice of Article 5(1)(a)–(h);
//! 2. **high-risk** if it is a safety component of (or is) a product under the Union
//!    harmonisation legislation of Annex I that needs third-party conformity assessment
//!    (Article 6(1)), or if it is used in an Annex III area (Article 6(2)) unless the
//!    Article 6(3) derogation applies: the system performs only a narrow procedural task,
//!    improves the result of a completed human activity, detects decision patterns without
//!    replacing human assessment, or performs a preparatory task — and it never applies when
//!    the system profiles natural persons (Article 6(3), last subparagraph);
//! 3. **limited** (transparency obligations of Article 50) if it interacts with people, generates
//!    synthetic content, performs emotion recognition or biometric categorisation, or produces
//!    deep fakes;
//! 4. **minimal** otherwise.
//!
//! The answers and the reasons (with article references) are stored with the model, so the
//! record shows why the tier was assigned, not just the tier.
//!
//! **Strictness.** Tiers are ordered by how much the Act demands of a system, and `Ord` on
//! [`RiskTier`] follows that order: minimal < limited < high-risk < prohibited. A stored tier
//! that is not one of the four (`unassessed`, from rows written before the questionnaire) reads
//! as high-risk ([`RiskTier::from_stored`]), the strictest tier that may still be deployed.
//! Change management uses the order to keep a reassessment from weakening what a pending change
//! request needs (see `crate::changes`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The four tiers of the Act; ordered by strictness (`Minimal < Limited < HighRisk <
/// Prohibited`, see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RiskTier {
    /// Article 5: may not be placed on the market.
    Prohibited,
    /// Article 6: the requirements of Chapter III apply.
    HighRisk,
    /// Article 50: transparency obligations.
    Limited,
    /// No specific obligations.
    Minimal,
}

impl RiskTier {
    /// The stored name (`prohibited`, `high-risk`, `limited`, `minimal`).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskTier::Prohibited => "prohibited",
            RiskTier::HighRisk => "high-risk",
            RiskTier::Limited => "limited",
            RiskTier::Minimal => "minimal",
        }
    }

    /// A tier as stored in the database: one of the four names, anything else (e.g.
    /// `unassessed`) as high-risk, the most demanding tier that may deploy (fail closed).
    pub fn from_stored(s: &str) -> RiskTier {
        match s {
            "prohibited" => RiskTier::Prohibited,
            "limited" => RiskTier::Limited,
            "minimal" => RiskTier::Minimal,
            _ => RiskTier::HighRisk,
        }
    }

    /// Position in the strictness order: 0 for minimal up to 3 for prohibited.
    pub fn strictness(self) -> u8 {
        match self {
            RiskTier::Minimal => 0,
            RiskTier::Limited => 1,
            RiskTier::HighRisk => 2,
            RiskTier::Prohibited => 3,
        }
    }
}

impl PartialOrd for RiskTier {
    fn partial_cmp(&self, other: &RiskTier) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RiskTier {
    /// By strictness: a greater tier demands more.
    fn cmp(&self, other: &RiskTier) -> std::cmp::Ordering {
        self.strictness().cmp(&other.strictness())
    }
}

/// Article 5(1) practices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProhibitedPractice {
    /// 5(1)(a): subliminal, manipulative or deceptive techniques distorting behaviour.
    ManipulativeTechniques,
    /// 5(1)(b): exploiting vulnerabilities due to age, disability or social/economic situation.
    ExploitingVulnerabilities,
    /// 5(1)(c): social scoring leading to detrimental or unfavourable treatment.
    SocialScoring,
    /// 5(1)(d): predicting criminal offences based solely on profiling or personality traits.
    PredictivePolicingByProfiling,
    /// 5(1)(e): untargeted scraping of facial images to build recognition databases.
    UntargetedFacialScraping,
    /// 5(1)(f): emotion recognition in the workplace or education (outside medical/safety use).
    EmotionRecognitionWorkplaceEducation,
    /// 5(1)(g): biometric categorisation inferring race, political opinions, religion, sex life...
    BiometricCategorisationSensitive,
    /// 5(1)(h): real-time remote biometric identification in public spaces for law enforcement.
    RealTimeRemoteBiometricIdLawEnforcement,
}

/// Annex III high-risk areas (points 1–8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnnexIiiArea {
    /// 1: biometrics (remote identification, categorisation, emotion recognition).
    Biometrics,
    /// 2: safety components of critical infrastructure.
    CriticalInfrastructure,
    /// 3: education and vocational training (admission, assessment, proctoring).
    Education,
    /// 4: employment, workers management and access to self-employment (hiring, promotion).
    Employment,
    /// 5: access to essential private and public services (benefits, creditworthiness, life and
    /// health insurance pricing, emergency calls triage).
    EssentialServices,
    /// 6: law enforcement.
    LawEnforcement,
    /// 7: migration, asylum and border control.
    Migration,
    /// 8: administration of justice and democratic processes.
    JusticeAndDemocracy,
}

impl AnnexIiiArea {
    /// Annex III point number and name, e.g. `4 employment`.
    pub fn label(self) -> &'static str {
        match self {
            AnnexIiiArea::Biometrics => "Annex III point 1 (biometrics)",
            AnnexIiiArea::CriticalInfrastructure => "Annex III point 2 (critical infrastructure)",
            AnnexIiiArea::Education => "Annex III point 3 (education and vocational training)",
            AnnexIiiArea::Employment => "Annex III point 4 (employment and workers management)",
            AnnexIiiArea::EssentialServices => {
                "Annex III point 5 (access to essential private and public services)"
            }
            AnnexIiiArea::LawEnforcement => "Annex III point 6 (law enforcement)",
            AnnexIiiArea::Migration => "Annex III point 7 (migration, asylum and border control)",
            AnnexIiiArea::JusticeAndDemocracy => {
                "Annex III point 8 (administration of justice and democratic processes)"
            }
        }
    }

    /// The stored name (snake_case, as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            AnnexIiiArea::Biometrics => "biometrics",
            AnnexIiiArea::CriticalInfrastructure => "critical_infrastructure",
            AnnexIiiArea::Education => "education",
            AnnexIiiArea::Employment => "employment",
            AnnexIiiArea::EssentialServices => "essential_services",
            AnnexIiiArea::LawEnforcement => "law_enforcement",
            AnnexIiiArea::Migration => "migration",
            AnnexIiiArea::JusticeAndDemocracy => "justice_and_democracy",
        }
    }
}

/// Article 6(3) conditions under which an Annex III system is not high-risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Article63Condition {
    /// 6(3)(a): a narrow procedural task.
    NarrowProceduralTask,
    /// 6(3)(b): improves the result of a previously completed human activity.
    ImprovesCompletedHumanActivity,
    /// 6(3)(c): detects decision patterns, not replacing or influencing the human assessment.
    DetectsDecisionPatterns,
    /// 6(3)(d): a preparatory task to an assessment relevant to an Annex III use case.
    PreparatoryTask,
}

/// Article 50 transparency duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransparencyTrigger {
    /// 50(1): interacts directly with natural persons.
    InteractsWithPeople,
    /// 50(2): generates synthetic audio, image, video or text.
    GeneratesSyntheticContent,
    /// 50(3): emotion recognition or biometric categorisation (not prohibited).
    EmotionRecognitionOrBiometricCategorisation,
    /// 50(4): deep fakes, or text published to inform the public.
    DeepFakes,
}

/// The questionnaire's answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskAnswers {
    /// Article 5 practices the system performs (normally none).
    #[serde(default)]
    pub prohibited_practices: Vec<ProhibitedPractice>,
    /// Article 6(1): a safety component of, or itself, an Annex I product needing third-party
    /// conformity assessment.
    #[serde(default)]
    pub annex_i_safety_component: bool,
    /// Article 6(2): the Annex III area the system is used in, if any.
    #[serde(default)]
    pub annex_iii_area: Option<AnnexIiiArea>,
    /// Article 6(3): the derogation condition claimed, if any.
    #[serde(default)]
    pub article_6_3_condition: Option<Article63Condition>,
    /// Whether the system profiles natural persons (then Article 6(3) never applies).
    #[serde(default)]
    pub profiles_natural_persons: bool,
    /// Article 50 triggers.
    #[serde(default)]
    pub transparency: Vec<TransparencyTrigger>,
}

/// The tier and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RiskAssessment {
    /// The tier.
    pub tier: RiskTier,
    /// The Annex III area when high-risk through Article 6(2).
    pub annex_iii_area: Option<AnnexIiiArea>,
    /// The reasons, each citing the article that decided it.
    pub reasons: Vec<String>,
    /// The answers assessed.
    pub answers: RiskAnswers,
}

/// Assigns the tier for `answers` (see the module documentation for the rules).
pub fn assess(answers: &RiskAnswers) -> RiskAssessment {
    let mut reasons = Vec::new();
    let done = |tier, area, reasons| RiskAssessment {
        tier,
        annex_iii_area: area,
        reasons,
        answers: answers.clone(),
    };
    if !answers.prohibited_practices.is_empty() {
        for p in &answers.prohibited_practices {
            reasons.push(format!("Article 5(1): prohibited practice {p:?}"));
        }
        return done(RiskTier::Prohibited, None, reasons);
    }
    if answers.annex_i_safety_component {
        reasons.push(
            "Article 6(1): safety component of an Annex I product requiring third-party \
             conformity assessment"
                .into(),
        );
        return done(RiskTier::HighRisk, answers.annex_iii_area, reasons);
    }
    if let Some(area) = answers.annex_iii_area {
        match (
            answers.article_6_3_condition,
            answers.profiles_natural_persons,
        ) {
            (Some(c), false) => reasons.push(format!(
                "Article 6(3): {} but not high-risk under the derogation {c:?}",
                area.label()
            )),
            (Some(_), true) => {
                reasons.push(format!(
                    "Article 6(2): {}; the Article 6(3) derogation does not apply because the \
                     system profiles natural persons",
                    area.label()
                ));
                return done(RiskTier::HighRisk, Some(area), reasons);
            }
            (None, _) => {
                reasons.push(format!("Article 6(2): used in {}", area.label()));
                return done(RiskTier::HighRisk, Some(area), reasons);
            }
        }
    }
    if !answers.transparency.is_empty() {
        for t in &answers.transparency {
            reasons.push(format!("Article 50: transparency obligation {t:?}"));
        }
        return done(RiskTier::Limited, None, reasons);
    }
    reasons.push("no Article 5, 6 or 50 criterion met".into());
    done(RiskTier::Minimal, None, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness_order_and_stored_names() {
        use RiskTier::*;
        let mut v = vec![HighRisk, Minimal, Prohibited, Limited];
        v.sort();
        assert_eq!(v, [Minimal, Limited, HighRisk, Prohibited]);
        assert!(HighRisk > Limited && Prohibited > HighRisk && Limited > Minimal);
        for t in v {
            assert_eq!(RiskTier::from_stored(t.as_str()), t);
        }
        assert_eq!(RiskTier::from_stored("unassessed"), HighRisk);
        assert_eq!(RiskTier::from_stored(""), HighRisk);
    }

    #[test]
    fn tiers_follow_the_act() {
        let mut a = RiskAnswers::default();
        assert_eq!(assess(&a).tier, RiskTier::Minimal);
        a.transparency = vec![TransparencyTrigger::InteractsWithPeople];
        assert_eq!(assess(&a).tier, RiskTier::Limited);
        a.annex_iii_area = Some(AnnexIiiArea::Employment);
        let r = assess(&a);
        assert_eq!(r.tier, RiskTier::HighRisk);
        assert_eq!(r.annex_iii_area, Some(AnnexIiiArea::Employment));
        a.article_6_3_condition = Some(Article63Condition::NarrowProceduralTask);
        assert_eq!(assess(&a).tier, RiskTier::Limited);
        a.profiles_natural_persons = true;
        assert_eq!(assess(&a).tier, RiskTier::HighRisk);
        a.prohibited_practices = vec![ProhibitedPractice::SocialScoring];
        assert_eq!(assess(&a).tier, RiskTier::Prohibited);
        let b = RiskAnswers {
            annex_i_safety_component: true,
            ..Default::default()
        };
        assert_eq!(assess(&b).tier, RiskTier::HighRisk);
    }
}
