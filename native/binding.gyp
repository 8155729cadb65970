{
  "targets": [
    {
      "target_name": "visage_pixel_kernels",
      "sources": ["pixel-kernels.cc"],
      "cflags_cc": ["-O3", "-ffp-contract=off", "-fno-fast-math"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off"] }
    }
  ]
}
