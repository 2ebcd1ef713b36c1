// One NeuronCore executing its Program: its SBUF, PSUM, registers, engine accumulators and program
// position. Instructions run in program order; under LNC2, an instruction that must wait for the other
// core (core_barrier, sendrecv) blocks only what depends on it (its engine's queue and instructions
// touching its operands), so independent later instructions may run first, as on the hardware.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "ir/program.h"
#include "sim/exec.h"
#include "sim/memory.h"
#include "sim/shadow.h"
#include "target/target.h"

namespace nkic::sim {

using Progress = std::function<void(size_t, size_t)>;

class Device;
class Timer;

class Core {
 public:
  Core(const Program& p, const Target& t, int id, std::vector<uint8_t*> hbm);

  // Runs every instruction in order (a single core: no instruction ever waits). Throws UserError.
  void run_alone(const Progress& progress);
  // Under a Device with several cores: runs until the core finishes, cannot go on without the other
  // cores, or has executed `budget` instructions. Returns whether it made progress.
  bool advance(Device& dev, size_t budget = SIZE_MAX);
  bool done() const { return pc_ >= prog_.instrs.size() && pending_.empty(); }
  // The instruction this core waits at (the oldest it could not run), or nullptr.
  const Instruction* waiting_at() const;

  const Program& program() const { return prog_; }
  Memory& memory() { return mem_; }
  int id() const { return id_; }
  // Timing (the Device's timer, or none) and timing-only runs (no arithmetic, no data movement: only
  // control flow, registers and addresses; data-dependent ones are errors).
  void set_timing(Timer* t, bool timing_only) {
    timer_ = t;
    timing_only_ = timing_only;
  }
  // The dynamic checks (sim/shadow.h): on from the start of the run; their findings.
  void enable_checks(CheckOptions o) {
    if (o.any()) checker_ = std::make_unique<Checker>(prog_, tgt_, mem_, o);
  }
  std::vector<Diagnostic> findings() const { return checker_ ? checker_->findings() : std::vector<Diagnostic>{}; }

 private:
  friend class Device;
  struct Region {
    const uint8_t* lo;
    const uint8_t* hi;  // one past the last byte
    bool write;
  };
  struct Deferred {
    uint32_t instr;
    uint32_t epoch;  // synchronizations before it in program order
    std::vector<Region> regions;
    bool born = false;  // its tensors' births ran (a synchronization's run before it arrives: data may land)
  };

  // Executes instruction i: its tensors' births, bounds checks, semantics (control flow excluded).
  void execute(uint32_t i, uint32_t epoch, Device* dev);
  void births_at(uint32_t i);
  void birth_of(uint32_t tensor);  // sentinel fill, PSUM state reset, the checks' written map
  void check_timing_only(uint32_t i) const;
  // Memory an instruction touches (its operands and the storage of tensors born before it).
  std::vector<Region> regions_of(uint32_t i);
  bool conflicts(uint32_t i, const std::vector<Region>& mine) const;

  const Program& prog_;
  const Target& tgt_;
  int id_;
  Memory mem_;
  ExecContext cx_;
  uint32_t pc_ = 0;
  size_t next_birth_ = 0;
  uint32_t epoch_ = 0;
  std::deque<Deferred> pending_;  // instructions passed in program order but not yet run, oldest first
  std::vector<int64_t> loop_stops_;
  std::map<uint32_t, uint64_t> while_iterations_;
  Timer* timer_ = nullptr;
  bool timing_only_ = false;
  std::unique_ptr<Checker> checker_;
};

// A control instruction at `pc` (Loop, EndLoop, While, EndWhile): the next program counter. Other
// instructions: -1. Throws UserError for a runaway while loop.
int64_t control_step(const Program& p, const Instruction& in, uint32_t pc, std::vector<int64_t>& regs,
                     std::vector<int64_t>& stops, std::map<uint32_t, uint64_t>& iterations);

[[noreturn]] void runtime_error(const Program& p, const Instruction& in, const std::string& msg);

}  // namespace nkic::sim
