// The timing tables. Sources (all in the NKI documentation, summarised in nki-spec.md §9 and §5, and the
// published measurements in ../shared/calibration, "calibration" below):
//  [clk]  §9.3 engine clocks per generation.
//  [ii]   §5.3 / §9.6: MIN_II ~ 64 cycles; legacy per-instruction cost formulas (Beta-1 ISA docs).
//  [acc]  §9.6 / calibration: SBUF/PSUM tensor-access start-up 60 cycles (NCv2 arch guide); innermost
//         stride above 16 bytes halves the port rate.
//  [lat]  §9.6 / calibration: tiny RAW-dependent ScalarE instructions 189 ns = 264 cycles at 1.4 GHz apart,
//         i.e. MIN_II + 200 cycles; VectorE "static overhead ~100 cycles when serially dependent";
//         GpSimd 150-cycle start-up. TensorE: 0 (no documented drain figure; MM_INIT_LATENCY, 64 cycles, is
//         the matmul's minimum moving size [pe], not a wait: matmuls accumulating into one PSUM tile issue
//         back to back, the calibration's fp32 matmuls run at exactly N_moving x 4 cycles each).
//  [pe]   §9.6: II_MM = max(N_moving, 64); FP32 x4, x2 in transpose mode (NCv3+); LoadStationary ~4x faster.
//  [perf] §9.3: NCv3 VectorE performance modes; NCv4 ScalarE 2x for bf16/fp16 copies.
//  [act]  calibration: ACT_TABLE_LOAD 368 ns in an NCv2-era profile.
//  [dma]  §9.4 / calibration: per-ring bandwidth 17 / 23 / 33 B/ns (DMA overview table); 1300 ns
//         semaphore-to-start latency (DMA bandwidth guide); 8 partitions per ring for SBUF-side transfers;
//         per-descriptor cost 1 ns from the profile of 16 rings x 2 KiB = 97 ns each: 2048 / 23 = 89 ns of
//         data plus 8 descriptors (one 256-byte partition row each) -> (97 - 89) / 8; it agrees with 32 KiB
//         on one ring in 1416 ns (4 rows of 8 KiB, 1425 ns of data at 23 B/ns; DMA overview); HWDGE ~600 ns
//         per DMA instruction; DMA transpose 90 % (HBM->SBUF) / 50 % (SBUF->SBUF).
//  [hbm]  §9.1: HBM 820 GB/s over 2 cores (trn1), 2.9 TB/s over 8 (trn2), 4.9 TB/s over 8 (trn3).
//  [link] §9.1: NeuronLink v2/v3/v4 (device totals over 4 links); sendrecv between the two cores of an LNC2
//         pair uses DMA rings: one ring's bandwidth x 16.
//  [peak] §9.3: 128 x 128 PEs x 2 flops x TensorE clock.
#include "target/timing.h"

namespace nkic {

namespace {
// clang-format off
constexpr Timing kTiming[] = {
    // trn1 (NCv2)
    {/*clk*/ 2.8, 1.12, 1.4, 1.4, 1.4, /*ii*/ 64, /*acc*/ 60, 16, /*lat*/ 0, 100, 200, 100, 150,
     /*pe*/ 64, 4, 4, 4, /*perf*/ 1, 1, 1, 1, /*act*/ 368.0,
     /*dma*/ 17.0, 1300.0, 1.0, 8, /*hbm*/ 410.0, 50.0, 600.0, 0.9, 0.5, /*link*/ 272.0, 100.0,
     /*peak*/ 2 * 128 * 128 * 2.8},
    // trn2 (NCv3)
    {/*clk*/ 2.4, 0.96, 1.2, 1.2, 1.2, /*ii*/ 64, /*acc*/ 60, 16, /*lat*/ 0, 100, 200, 100, 150,
     /*pe*/ 64, 4, 2, 4, /*perf*/ 4, 2, 2, 1, /*act*/ 368.0,
     /*dma*/ 23.0, 1300.0, 1.0, 8, /*hbm*/ 362.5, 50.0, 600.0, 0.9, 0.5, /*link*/ 368.0, 160.0,
     /*peak*/ 2 * 128 * 128 * 2.4},
    // trn3 (NCv4)
    {/*clk*/ 2.4, 1.2, 1.2, 1.2, 1.2, /*ii*/ 64, /*acc*/ 60, 16, /*lat*/ 0, 100, 200, 100, 150,
     /*pe*/ 64, 4, 2, 4, /*perf*/ 4, 2, 2, 2, /*act*/ 368.0,
     /*dma*/ 33.0, 1300.0, 1.0, 8, /*hbm*/ 612.5, 50.0, 600.0, 0.9, 0.5, /*link*/ 528.0, 320.0,
     /*peak*/ 2 * 128 * 128 * 2.4},
};
// clang-format on
}  // namespace

const Timing& timing(TargetKind k) { return kTiming[static_cast<int>(k)]; }

}  // namespace nkic
