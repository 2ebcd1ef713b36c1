// The machine: a Device owns HBM and N cores, each running its own Program (LNC2: one specialization
// per nl.program_id). shared_hbm is one storage for every core: the caller's input and output buffers
// and the kernel's own shared_hbm tensors (matched across the cores' Programs in declaration order);
// private_hbm, SBUF, PSUM and registers are per core. Execution is deterministic: the cores take turns
// on one host thread, one instruction each, as if they ran side by side.
#pragma once

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "ir/program.h"
#include "sim/core.h"
#include "sim/memory.h"
#include "sim/timing.h"
#include "support/diagnostic.h"
#include "target/target.h"

namespace nkic::sim {

class World;

class Device {
 public:
  // `programs`: one per core (all from the same kernel). inputs/outputs: the caller's buffers for the
  // HBM input and output tensors (by io_index), shared by every core. Throws std::invalid_argument for
  // buffers that do not match, UserError when the cores' Programs declare different shared tensors.
  Device(const Target& t, const std::vector<const Program*>& programs, const std::vector<HostBuffer>& inputs,
         const std::vector<HostBuffer>& outputs, int rank = 0);
  ~Device();

  // Runs every core to its end. Throws UserError (kind "runtime") for kernel errors and for a deadlock
  // (every unfinished core waits for a synchronization no other core will reach).
  void run(const Progress& progress = {});
  // One turn under a World: each unfinished core runs until it finishes or waits. Returns whether any
  // core executed anything.
  bool step();
  bool done() const;
  int rank() const { return rank_; }
  size_t num_cores() const { return cores_.size(); }
  Core& core(size_t c) { return *cores_[c]; }
  // The error of a deadlock: one diagnostic per waiting core, naming what the others do (`others`
  // describes cores of other devices).
  void describe_waiting(std::vector<Diagnostic>& out, const std::string& others, bool name_rank) const;
  std::string describe_cores(bool name_rank) const;
  std::string describe_core(const Core& c, bool name_rank) const;  // "core 1 has finished; core 0 waits at ..."
  // Findings that do not stop the run: shared_hbm bytes written by two cores with no synchronization
  // between the writes.
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  // Times the run (sim/timing.h); `keep_slices` keeps every instruction's slice for a trace; `timing_only`
  // skips the arithmetic and data movement. Call before run().
  void enable_timing(bool keep_slices, bool timing_only);
  Timer* timer() { return timer_.get(); }
  // The dynamic checks (sim/shadow.h) on every core; call before run(). Their findings, core by core.
  void enable_checks(CheckOptions o);
  std::vector<Diagnostic> findings() const;
  bool timing_only() const { return timing_only_; }

  // For Core: reports that `core` reached the synchronization at instruction `instr` (idempotent while
  // it waits); returns whether every core it synchronizes with has reached it too (then it completes).
  bool arrive(Core& core, uint32_t instr);
  // For World: marks the collective `core` waits at as complete.
  void complete_collective(int core);
  // For Core: an instruction ran (race tracking of shared_hbm writes).
  void after_execute(Core& core, uint32_t instr, uint32_t epoch);

 private:
  struct Shared {  // a shared_hbm storage and, once two cores write it, who wrote each byte last
    uint8_t* base;
    int64_t bytes;
    std::vector<uint32_t> last_writer;  // index into writes_ + 1, per byte (0: never written)
  };
  struct Write {
    int core;
    uint32_t epoch, instr;
  };
  struct Waiting {  // a core's synchronization that has arrived and not completed
    uint32_t instr;
    std::pair<int64_t, int64_t> key;
    bool complete = false;
  };
  friend class World;

  void complete(const std::pair<int64_t, int64_t>& key);
  Shared* shared_of(const uint8_t* p);

  const Target& tgt_;
  int rank_ = 0;
  std::unique_ptr<Timer> timer_;
  bool timing_only_ = false;
  World* world_ = nullptr;  // set by World::run; null when the device runs alone (a world of one rank)
  std::vector<std::vector<uint8_t>> storage_;  // the kernel's own HBM tensors (shared and private)
  std::vector<std::unique_ptr<Core>> cores_;
  std::vector<Shared> shared_;
  std::vector<Write> writes_;
  std::vector<Diagnostic> warnings_;
  std::vector<std::pair<uint32_t, uint32_t>> warned_;  // (instr of core 0, instr of core 1) pairs reported
  // Synchronization matching: (kind, sequence) -> the instruction each core arrived with (-1: not yet).
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> arrivals_;
  std::vector<std::map<int64_t, int64_t>> sync_count_;  // per core: kind -> synchronizations reached
  std::vector<std::unique_ptr<Waiting>> waiting_;       // per core
};

// The ranks of a collective launch: one Device per rank (each running its own specialization), matched
// at every nki.collectives call by replica group. Runs every core of every rank to its end, on one host
// thread, deterministically; a deadlock anywhere is an error at each waiting core's line.
class World {
 public:
  explicit World(std::vector<Device*> ranks) : ranks_(std::move(ranks)) {}
  void run();
  // A core reached a Collective: registers it; the collective completes (moving data) once every core
  // of every rank in its replica group has reached it.
  void arrive(Device& dev, Core& core, uint32_t instr);

 private:
  struct Arrival {
    Device* dev = nullptr;
    Core* core = nullptr;
    uint32_t instr = 0;
  };
  void complete(const std::vector<Arrival>& arrivals);
  [[noreturn]] void deadlock();

  std::vector<Device*> ranks_;
  // (replica group, core index, sequence) -> arrivals by position in the group
  std::map<std::tuple<std::vector<int64_t>, int, int64_t>, std::vector<Arrival>> pending_;
  std::map<std::tuple<int, int, std::vector<int64_t>>, int64_t> seq_;  // (rank, core, group) -> collectives reached
};

// Runs a single-core Program (the common case): inputs/outputs as for Device.
void run(const Program& p, const Target& t, const std::vector<HostBuffer>& inputs,
         const std::vector<HostBuffer>& outputs, const Progress& progress = {});

}  // namespace nkic::sim
