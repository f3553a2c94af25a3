//! Fashion-MNIST from Debian's `dataset-fashion-mnist` (installed by `.ci/run`) through the
//! IDX reader: the test set's 10,000 images of 28 × 28 pixels, 1,000 of each class (Xiao,
//! Rasul and Vollgraf 2017), the first an ankle boot (class 9).

use assay_data::idx::{fashion_mnist_dir, read_image_set};

#[test]
fn fashion_mnist_test_set() {
    let dir = fashion_mnist_dir();
    let (images, labels) = (
        dir.join("t10k-images-idx3-ubyte.gz"),
        dir.join("t10k-labels-idx1-ubyte.gz"),
    );
    if !images.exists() {
        assay_data::datasets::skip(&format!(
            "{} not found (apt-get install dataset-fashion-mnist, or set ASSAY_FASHION_MNIST_DIR)",
            images.display()
        ));
        return;
    }
    let s = read_image_set(&images, &labels, 10).unwrap();
    assert_eq!((s.n, s.channels, s.height, s.width), (10_000, 1, 28, 28));
    assert_eq!(s.pixels.len(), 10_000 * 784);
    assert!(s.pixels.iter().all(|p| (0.0..=1.0).contains(p)));
    let mut per_class = [0usize; 10];
    for &c in &s.labels {
        per_class[c] += 1;
    }
    assert_eq!(per_class, [1000; 10]);
    assert_eq!(s.labels[0], 9);
}
