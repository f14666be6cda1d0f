#!/usr/bin/env bash
# Regenerates every model in examples/ (deterministic: fixed seeds).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# The models of the brief, seeded random block-circulant weights, b = 8.
ernn-model lstm --input-size 153 --hidden-size 1024 --proj-size 512 --peepholes \
    --block-size 8 --seq-len 100 --seed 0 -o google_lstm_b8.mlir
ernn-model gru --input-size 153 --hidden-size 1024 --block-size 8 --seq-len 100 \
    --seed 0 -o google_gru_b8.mlir
# A small LSTMP for quick experiments (make demo).
ernn-model lstm --input-size 40 --hidden-size 64 --proj-size 32 --peepholes \
    --block-size 8 --seq-len 16 --seed 1 -o lstm_small.mlir

# Trained on the digits task (ADMM, b = 8), then imported exactly.
for kind in lstm gru; do
    ernn-train --model "$kind" --hidden 32 --block 8 --method admm --epochs 12 \
        --admm-epochs 8 --finetune-epochs 8 --seed 0 --threads 1 -o "$tmp/$kind.pt"
    ernn-import "$tmp/$kind.pt" --block-size 8 --seq-len 8 --batch 1 -o "digits_${kind}_b8.mlir"
done
