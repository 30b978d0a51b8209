//! No input may panic, hang or allocate without bound: cut files, bit flips, huge lines,
//! invalid UTF-8, NUL bytes, absurd protobufs and gzip bombs get an error or a partial read.

mod common;

use common::{fixture, gunzip};
use flate2::write::GzEncoder;
use flate2::Compression;
use parkview::{decode, DecodeError, Options};
use proptest::prelude::*;
use std::io::Write;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn a_gzip_bomb_is_an_error_not_an_out_of_memory() {
    let bomb = gzip(&vec![b'a'; 64 << 20]);
    assert!(bomb.len() < 1 << 20, "a real bomb: {} bytes", bomb.len());
    let err = decode(&bomb, &Options { max_inflated_bytes: 8 << 20 }).unwrap_err();
    assert_eq!(err, DecodeError::TooLarge { limit: 8 << 20 });
    assert!(err.to_string().contains("gzip bomb"));
}

#[test]
fn a_cut_gzip_stream_keeps_what_it_inflated_and_names_where_it_broke() {
    let plain = fixture("go1.27/service.s1.goroutine.debug2.txt");
    let mut gz = gzip(&plain);
    let n = gz.len();
    gz.truncate(n / 2);
    let d = decode(&gz, &Options::default()).unwrap();
    let read = d.profile.goroutines.len();
    assert!(read > 0 && read < 53, "{read} of 53 goroutines");
    assert!(d.profile.truncated);
    assert!(
        d.warnings.iter().any(|w| w.message.starts_with("broken gzip stream after ") && w.message.ends_with("what was inflated before it is read")),
        "{:?}",
        d.warnings
    );
    // In pieces, the same.
    let mut stream = parkview::Stream::new(&Options::default());
    for piece in gz.chunks(333) {
        stream.feed(piece).unwrap();
    }
    assert_eq!(stream.finish().unwrap().profile.goroutines.len(), read);
    // A stream broken before any output stays an error.
    let err = decode(&gz[..12], &Options::default()).unwrap_err();
    assert!(matches!(err, DecodeError::Gzip { .. }), "{err}");
}

#[test]
fn a_twenty_megabyte_line_is_read_in_bounded_time() {
    let mut line = b"goroutine 1 [running]:\nmain.main(".to_vec();
    line.extend(std::iter::repeat_n(b'x', 20 << 20));
    line.extend_from_slice(b")\n\t/x.go:1\n");
    let d = decode(&line, &Options::default()).expect("decodes");
    assert_eq!(d.profile.goroutine_count(), Some(1));
    let plain = vec![b'y'; 20 << 20];
    assert!(matches!(decode(&plain, &Options::default()), Err(DecodeError::NotAProfile(_))));
}

#[test]
fn invalid_utf8_and_nul_bytes_are_kept_as_replacement_characters() {
    let d = decode(b"goroutine 1 [running]:\nmain.\xff\xfe\x00f()\n\t/x/\xc3.go:3 +0x1\n", &Options::default()).expect("decodes");
    let p = &d.profile;
    assert_eq!(p.func_name(p.stack(p.goroutines[0].stack)[0]), "main.\u{fffd}\u{fffd}\u{0}f");
}

#[test]
fn html_is_told_apart_from_a_profile() {
    let err = decode(&fixture("bad/pprof-index.html"), &Options::default()).unwrap_err();
    assert_eq!(err.to_string(), "this is HTML, not a profile: did you save the pprof index page instead of a profile it links to?");
    assert_eq!(decode(b"", &Options::default()).unwrap_err(), DecodeError::Empty);
}

#[test]
fn a_protobuf_with_an_absurd_length_names_the_byte_and_the_field() {
    // A sample type, then field 2 (sample) with a length of 2^35: far past the end.
    let err = decode(&[0x0a, 0x02, 0x08, 0x01, 0x12, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x08, 0x01], &Options::default()).unwrap_err();
    let DecodeError::Protobuf { offset, field, .. } = &err else { panic!("{err}") };
    assert_eq!((*offset, field.as_str()), (5, "Profile.sample (field 2)"), "{err}");
    // A sample whose own field is broken inside: the offset points inside the sample.
    let err = decode(&[0x0a, 0x02, 0x08, 0x01, 0x12, 0x03, 0x0a, 0x05, 0x01], &Options::default()).unwrap_err();
    let DecodeError::Protobuf { offset, field, .. } = &err else { panic!("{err}") };
    assert_eq!((*offset, field.as_str()), (7, "Profile.sample (field 2)"), "{err}");
    // Bytes whose very first field is impossible are not taken for a protobuf at all.
    assert!(matches!(decode(&[0x12, 0xff, 0xff, 0xff, 0xff, 0x7f], &Options::default()), Err(DecodeError::NotAProfile(_))));
}

#[test]
fn a_protobuf_cut_anywhere_fails_cleanly_or_decodes() {
    let raw = gunzip("go1.27/service.s1.goroutine.pb.gz");
    for cut in (0..raw.len()).step_by(7) {
        let _ = decode(&raw[..cut], &Options::default());
    }
}

#[test]
fn every_text_fixture_cut_at_any_line_decodes() {
    for rel in ["go1.27/service.s1.goroutine.debug2.txt", "go1.27/service.s1.goroutine.debug1.txt", "crash/sigquit.txt", "go1.27/service.heap.debug1.txt"] {
        let bytes = fixture(rel);
        for cut in (0..bytes.len()).step_by(97) {
            let _ = decode(&bytes[..cut], &Options::default());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = decode(&bytes, &Options::default());
    }

    #[test]
    fn bit_flips_in_a_proto_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..8)) {
        let mut raw = gunzip("go1.27/service.s3.goroutine.pb.gz");
        for (at, bit) in flips {
            let i = at.index(raw.len());
            raw[i] ^= 1 << bit;
        }
        let _ = decode(&raw, &Options::default());
    }

    #[test]
    fn bit_flips_in_a_dump_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..16)) {
        let mut raw = fixture("crash/sigquit.txt");
        for (at, bit) in flips {
            let i = at.index(raw.len());
            raw[i] ^= 1 << bit;
        }
        if let Ok(d) = decode(&raw, &Options::default()) {
            prop_assert!(d.profile.goroutines.len() <= 25);
        }
    }

    #[test]
    fn dump_like_lines_never_panic(lines in proptest::collection::vec(prop_oneof![
        Just("goroutine 1 [running]:".to_string()),
        Just("goroutine 2 gp=0x1 m=nil [select, 3 minutes] {a: \"b\"}:".to_string()),
        "[a-z./()*0-9, {}\\[\\]]{0,40}",
        "\t/[a-z/]{1,20}\\.go:[0-9]{1,4} \\+0x[0-9a-f]{1,4}",
        Just("created by main.main in goroutine 1".to_string()),
        Just("...3 frames elided...".to_string()),
        Just("[originating from goroutine 9]:".to_string()),
        Just(String::new()),
    ], 0..60)) {
        let _ = decode(lines.join("\n").as_bytes(), &Options::default());
    }
}
