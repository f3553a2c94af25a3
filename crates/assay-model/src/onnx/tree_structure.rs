//! The structure of an ONNX-ML `TreeEnsembleClassifier` / `TreeEnsembleRegressor` node,
//! validated before anything walks it.
//!
//! The node stores its trees as parallel attribute lists (`nodes_treeids`, `nodes_nodeids`,
//! `nodes_modes`, `nodes_truenodeids`, `nodes_falsenodeids`, ...), so nothing in the format
//! stops a child from naming its own ancestor or two parents from sharing a child; a walk of
//! such a "tree" never ends or takes exponential time. [`check`] is the one place that reads
//! the structure: the runtime operator ([`crate::onnx::runtime`]), the inspector's tree
//! statistics and [`crate::onnx::to_ensemble`] all call it first and walk only what it returns,
//! as the XGBoost and LightGBM loaders validate through [`crate::tree::Tree::validate`].
//!
//! What is checked, each in one linear pass:
//! * the five structural lists have one entry per node, and there is at least one node;
//! * every mode is one of `BRANCH_LEQ`, `BRANCH_LT`, `BRANCH_GTE`, `BRANCH_GT`, `BRANCH_EQ`,
//!   `BRANCH_NEQ` and `LEAF`;
//! * each tree's nodes are consecutive in attribute order (a tree's root is its first node,
//!   onnxruntime's rule, so a tree id that reappears later would start a second tree);
//! * node ids are unique within a tree;
//! * every branch's two children exist in the same tree;
//! * walking from each root, every node is reached at most once: no cycle (a child pointing
//!   back to the root or any ancestor, or to itself) and no node with two parents.
//!
//! Nodes that no root reaches are allowed (onnxruntime ignores them) and are never visited.
//! Errors name the ONNX node, the tree id and the node id at fault.

use std::collections::HashMap;

use tract_onnx::pb;

/// A node's rule: the comparison of a branch (the true branch is taken when it holds) or a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeMode {
    /// `BRANCH_LEQ`: `x <= threshold`.
    Leq,
    /// `BRANCH_LT`: `x < threshold`.
    Lt,
    /// `BRANCH_GTE`: `x >= threshold`.
    Gte,
    /// `BRANCH_GT`: `x > threshold`.
    Gt,
    /// `BRANCH_EQ`: `x == threshold`.
    Eq,
    /// `BRANCH_NEQ`: `x != threshold`.
    Neq,
    /// `LEAF`: no children; its weights are the tree's output.
    Leaf,
}

impl NodeMode {
    /// The mode named by an ONNX `nodes_modes` entry.
    pub fn parse(name: &[u8]) -> Option<NodeMode> {
        Some(match name {
            b"BRANCH_LEQ" => NodeMode::Leq,
            b"BRANCH_LT" => NodeMode::Lt,
            b"BRANCH_GTE" => NodeMode::Gte,
            b"BRANCH_GT" => NodeMode::Gt,
            b"BRANCH_EQ" => NodeMode::Eq,
            b"BRANCH_NEQ" => NodeMode::Neq,
            b"LEAF" => NodeMode::Leaf,
            _ => return None,
        })
    }

    /// The ONNX name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            NodeMode::Leq => "BRANCH_LEQ",
            NodeMode::Lt => "BRANCH_LT",
            NodeMode::Gte => "BRANCH_GTE",
            NodeMode::Gt => "BRANCH_GT",
            NodeMode::Eq => "BRANCH_EQ",
            NodeMode::Neq => "BRANCH_NEQ",
            NodeMode::Leaf => "LEAF",
        }
    }
}

/// One tree of a validated ensemble.
#[derive(Debug, Clone)]
pub struct TreeNodes {
    /// The tree id (`nodes_treeids`).
    pub id: i64,
    /// Index (attribute order) of its root, its first node.
    pub root: usize,
    /// Indices of the nodes reachable from the root, in depth-first pre-order (true child
    /// first); each appears once.
    pub reached: Vec<usize>,
    /// Splits on the longest root-to-leaf path.
    pub depth: usize,
}

/// A tree-ensemble node's structure after [`check`]: safe to walk.
#[derive(Debug, Clone)]
pub struct TreeStructure {
    /// Per node (attribute order): its mode.
    pub modes: Vec<NodeMode>,
    /// Per node: indices of its (true, false) children; a leaf's are its own index.
    pub children: Vec<(usize, usize)>,
    /// The trees, in attribute order.
    pub trees: Vec<TreeNodes>,
    /// `(tree id, node id)` → node index.
    pub index: HashMap<(i64, i64), usize>,
}

impl TreeStructure {
    /// Splits on the longest root-to-leaf path of any tree.
    pub fn max_depth(&self) -> usize {
        self.trees.iter().map(|t| t.depth).max().unwrap_or(0)
    }
}

fn ints<'a>(node: &'a pb::NodeProto, name: &str) -> &'a [i64] {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map_or(&[], |a| a.ints.as_slice())
}

/// Validates the tree structure of a `TreeEnsembleClassifier` / `TreeEnsembleRegressor` node
/// (see the [module documentation](self)); the error names the ONNX node, tree and node.
pub fn check(node: &pb::NodeProto) -> Result<TreeStructure, String> {
    let name = &node.name;
    let fail = |m: String| format!("tree ensemble node '{name}': {m}");
    let tree_ids = ints(node, "nodes_treeids");
    let node_ids = ints(node, "nodes_nodeids");
    let true_ids = ints(node, "nodes_truenodeids");
    let false_ids = ints(node, "nodes_falsenodeids");
    let mode_names: &[Vec<u8>] = node
        .attribute
        .iter()
        .find(|a| a.name == "nodes_modes")
        .map_or(&[], |a| a.strings.as_slice());
    let n = tree_ids.len();
    if n == 0 {
        return Err(fail("no nodes (nodes_treeids is empty)".into()));
    }
    for (what, len) in [
        ("nodes_nodeids", node_ids.len()),
        ("nodes_truenodeids", true_ids.len()),
        ("nodes_falsenodeids", false_ids.len()),
        ("nodes_modes", mode_names.len()),
    ] {
        if len != n {
            return Err(fail(format!(
                "{what} has {len} entries but nodes_treeids has {n}"
            )));
        }
    }
    let at = |i: usize| format!("tree {} node {}", tree_ids[i], node_ids[i]);
    let mut modes = Vec::with_capacity(n);
    for (i, m) in mode_names.iter().enumerate() {
        modes.push(NodeMode::parse(m).ok_or_else(|| {
            fail(format!(
                "{}: unknown mode '{}' (expected BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF)",
                at(i),
                String::from_utf8_lossy(m)
            ))
        })?);
    }
    // Trees: consecutive runs of one id, each id in one run.
    let mut starts: Vec<usize> = vec![0];
    let mut first_at: HashMap<i64, usize> = HashMap::new();
    first_at.insert(tree_ids[0], 0);
    for i in 1..n {
        if tree_ids[i] != tree_ids[i - 1] {
            if let Some(&j) = first_at.get(&tree_ids[i]) {
                return Err(fail(format!(
                    "the nodes of tree {} are not consecutive (positions {j} and {i} are separated by another tree); a tree's nodes must follow each other, its root first",
                    tree_ids[i]
                )));
            }
            first_at.insert(tree_ids[i], i);
            starts.push(i);
        }
    }
    let mut index: HashMap<(i64, i64), usize> = HashMap::with_capacity(n);
    for i in 0..n {
        if let Some(j) = index.insert((tree_ids[i], node_ids[i]), i) {
            return Err(fail(format!(
                "tree {} has node id {} twice (positions {j} and {i})",
                tree_ids[i], node_ids[i]
            )));
        }
    }
    let mut children = Vec::with_capacity(n);
    for i in 0..n {
        if modes[i] == NodeMode::Leaf {
            children.push((i, i));
            continue;
        }
        let child = |id: i64, which: &str| {
            index.get(&(tree_ids[i], id)).copied().ok_or_else(|| {
                fail(format!(
                    "{} ({}) has {which} child {id}, which is not a node of tree {}",
                    at(i),
                    modes[i].name(),
                    tree_ids[i]
                ))
            })
        };
        children.push((child(true_ids[i], "true")?, child(false_ids[i], "false")?));
    }
    // Each node reached at most once from its tree's root.
    let mut seen = vec![false; n];
    let mut trees = Vec::with_capacity(starts.len());
    for &root in &starts {
        let mut reached = Vec::new();
        let mut depth = 0;
        let mut stack = vec![(root, 0usize)];
        seen[root] = true;
        while let Some((i, d)) = stack.pop() {
            reached.push(i);
            if modes[i] == NodeMode::Leaf {
                depth = depth.max(d);
                continue;
            }
            let (t, f) = children[i];
            for (c, which) in [(f, "false"), (t, "true")] {
                if std::mem::replace(&mut seen[c], true) {
                    let what = if c == i {
                        "itself".to_string()
                    } else if c == root {
                        format!("the tree's root (node {})", node_ids[c])
                    } else {
                        format!(
                            "node {}, which is already reached from the root",
                            node_ids[c]
                        )
                    };
                    return Err(fail(format!(
                        "{} ({}) has {which} child {what}: a cycle or a node with two parents; every node of a tree must be reached once from its root",
                        at(i),
                        modes[i].name()
                    )));
                }
                stack.push((c, d + 1));
            }
        }
        trees.push(TreeNodes {
            id: tree_ids[root],
            root,
            reached,
            depth,
        });
    }
    Ok(TreeStructure {
        modes,
        children,
        trees,
        index,
    })
}
