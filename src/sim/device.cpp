// The Device: HBM layout across cores, turn-taking, core_barrier/sendrecv matching, deadlock detection
// and the shared_hbm write-race warning.
#include "sim/device.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "numerics/numerics.h"

namespace nkic::sim {

namespace {

int64_t bytes_of(const TensorDecl& d) { return d.num_elements() * size_of(d.dtype); }

std::string line_of(const Program& p, const Instruction& in) {
  if (in.loc >= p.locs.size() || !p.locs[in.loc].loc.file) return "?";
  return std::to_string(p.locs[in.loc].loc.span.line);
}

// How a waiting synchronization reads in messages: "core_barrier" / "sendrecv (pipe_id=3)".
std::string sync_name(const Instruction& in) {
  if (in.op == Opcode::SendRecv) return "sendrecv (pipe_id=" + std::to_string(in.i0) + ")";
  if (in.op == Opcode::Collective) return std::string(name_of(static_cast<CollectiveKind>(in.i0)));
  return std::string(name_of(in.op));
}

}  // namespace

Device::Device(const Target& t, const std::vector<const Program*>& programs, const std::vector<HostBuffer>& inputs,
               const std::vector<HostBuffer>& outputs, int rank)
    : tgt_(t), rank_(rank) {
  if (programs.empty()) throw std::invalid_argument("a Device needs at least one Program");
  // HBM addresses per core. The k-th shared internal tensor of every core is one storage.
  std::vector<uint8_t*> shared_scratch;  // by shared index
  std::vector<const TensorDecl*> shared_decl;
  for (size_t c = 0; c < programs.size(); ++c) {
    const Program& p = *programs[c];
    std::vector<uint8_t*> hbm(p.tensors.size(), nullptr);
    size_t shared_index = 0;
    for (size_t i = 0; i < p.tensors.size(); ++i) {
      const TensorDecl& d = p.tensors[i];
      if (d.mem != Mem::HBM) continue;
      int64_t bytes = bytes_of(d);
      const std::vector<HostBuffer>* host = d.role == TensorRole::Input    ? &inputs
                                            : d.role == TensorRole::Output ? &outputs
                                                                           : nullptr;
      if (host) {
        if (d.io_index < 0 || d.io_index >= static_cast<int32_t>(host->size()))
          throw std::invalid_argument("missing host buffer for tensor '" + d.name + "'");
        const HostBuffer& hb = (*host)[d.io_index];
        if (hb.bytes != bytes)
          throw std::invalid_argument("host buffer for tensor '" + d.name + "' has " + std::to_string(hb.bytes) +
                                      " bytes, expected " + std::to_string(bytes));
        hbm[i] = static_cast<uint8_t*>(hb.data);
        if (c == 0) shared_.push_back({hbm[i], bytes, {}});
        continue;
      }
      bool shared = !d.private_hbm && d.constant < 0;  // constants are read-only: each core has its copy
      if (shared && shared_index < shared_scratch.size()) {
        const TensorDecl& first = *shared_decl[shared_index];
        if (first.shape != d.shape || first.dtype != d.dtype) {
          Diagnostic e;
          if (d.loc < p.locs.size()) e.loc = p.locs[d.loc].loc;
          e.message = "core " + std::to_string(c) + " declares shared_hbm tensor '" + d.name +
                      "' where core 0 declares '" + first.name + "' of another shape or dtype; the cores' " +
                      "shared_hbm tensors must be declared in the same order";
          e.hint = "declare shared tensors the same way on every core (outside code that depends on nl.program_id)";
          UserError err(e);
          err.kind = "runtime";
          throw err;
        }
        hbm[i] = shared_scratch[shared_index++];
        continue;
      }
      storage_.emplace_back(static_cast<size_t>(bytes));
      hbm[i] = storage_.back().data();
      if (d.constant >= 0) {  // nl.shared_constant: the contents baked into the Program
        if (d.constant >= static_cast<int32_t>(p.constants.size()) ||
            static_cast<int64_t>(p.constants[d.constant].size()) != bytes)
          throw std::invalid_argument("constant tensor '" + d.name + "' has no contents of " + std::to_string(bytes) +
                                      " bytes");
        std::memcpy(hbm[i], p.constants[d.constant].data(), static_cast<size_t>(bytes));
      } else {
        numerics::fill_sentinel(d.dtype, hbm[i], d.num_elements());
      }
      if (shared) {
        shared_scratch.push_back(hbm[i]);
        shared_decl.push_back(&d);
        shared_.push_back({hbm[i], bytes, {}});
        ++shared_index;
      }
    }
    cores_.push_back(std::make_unique<Core>(p, t, static_cast<int>(c), std::move(hbm)));
  }
  std::sort(shared_.begin(), shared_.end(), [](const Shared& a, const Shared& b) { return a.base < b.base; });
  sync_count_.resize(cores_.size());
  waiting_.resize(cores_.size());
}

Device::~Device() = default;

void Device::enable_timing(bool keep_slices, bool timing_only) {
  std::vector<const Program*> progs;
  for (auto& c : cores_) progs.push_back(&c->program());
  timer_ = std::make_unique<Timer>(tgt_, progs, keep_slices);
  timing_only_ = timing_only;
  for (auto& c : cores_) c->set_timing(timer_.get(), timing_only);
}

void Device::enable_checks(CheckOptions o) {
  for (auto& c : cores_) c->enable_checks(o);
}

std::vector<Diagnostic> Device::findings() const {
  std::vector<Diagnostic> out;
  for (auto& c : cores_)
    for (Diagnostic& d : c->findings()) out.push_back(std::move(d));
  return out;
}

bool Device::done() const {
  return std::all_of(cores_.begin(), cores_.end(), [](auto& c) { return c->done(); });
}

bool Device::step() {
  bool any = false;
  for (auto& c : cores_)
    if (!c->done()) any = c->advance(*this, 1) || any;  // one instruction each: the cores run side by side
  return any;
}

void Device::run(const Progress& progress) {
  bool collectives = false;
  for (auto& c : cores_)
    for (const Instruction& in : c->program().instrs) collectives = collectives || in.op == Opcode::Collective;
  if (cores_.size() == 1 && !collectives) {
    cores_[0]->run_alone(progress);
    return;
  }
  World(std::vector<Device*>{this}).run();
  if (progress) {
    size_t n = 0;
    for (auto& c : cores_) n += c->program().instrs.size();
    progress(n, n);
  }
}

void Device::complete_collective(int core) {
  if (waiting_[static_cast<size_t>(core)]) waiting_[static_cast<size_t>(core)]->complete = true;
}

bool Device::arrive(Core& core, uint32_t instr) {
  auto& w = waiting_[static_cast<size_t>(core.id())];
  if ((!w || w->instr != instr) && core.program().instrs[instr].op == Opcode::Collective) {
    w = std::make_unique<Waiting>(Waiting{instr, {-2, 0}, false});
    world_->arrive(*this, core, instr);
  } else if (!w || w->instr != instr) {
    const Instruction& in = core.program().instrs[instr];
    int64_t kind = in.op == Opcode::SendRecv ? in.i0 : -1;  // barriers, and sendrecv groups by pipe_id
    std::pair<int64_t, int64_t> key{kind, sync_count_[static_cast<size_t>(core.id())][kind]++};
    auto& arr = arrivals_[key];
    if (arr.empty()) arr.assign(cores_.size(), -1);
    arr[static_cast<size_t>(core.id())] = instr;
    w = std::make_unique<Waiting>(Waiting{instr, key, false});
    if (std::all_of(arr.begin(), arr.end(), [](int64_t a) { return a >= 0; })) complete(key);
  }
  if (!w->complete) return false;
  w.reset();
  return true;
}

void Device::complete(const std::pair<int64_t, int64_t>& key) {
  const std::vector<int64_t> arr = arrivals_[key];
  arrivals_.erase(key);
  if (timer_) {  // every core leaves the synchronization when the last one reaches it
    double at = 0, bytes = 0;
    for (size_t c = 0; c < cores_.size(); ++c) {
      Core& core = *cores_[c];
      uint32_t i = static_cast<uint32_t>(arr[c]);
      at = std::max(at, timer_->sync_ready(static_cast<int>(c), i, core.memory()));
      const Instruction& in = core.program().instrs[i];
      if (key.first >= 0 && in.num_ops > 0)
        bytes = std::max(bytes, static_cast<double>(core.program().op(in, 0).num_elements() *
                                                    size_of(core.program().op(in, 0).dtype)));
    }
    for (size_t c = 0; c < cores_.size(); ++c) {
      uint32_t i = static_cast<uint32_t>(arr[c]);
      Opcode op = cores_[c]->program().instrs[i].op;
      timer_->sync_done(static_cast<int>(c), i, cores_[c]->memory(), at, timer_->sync_cost(op, bytes));
    }
  }
  if (key.first >= 0 && !timing_only_) {  // sendrecv: every core's src goes to its peer's dst
    for (size_t c = 0; c < cores_.size(); ++c) {
      Core& from = *cores_[c];
      const Instruction& in = from.program().instrs[static_cast<size_t>(arr[c])];
      int64_t to = from.program().ints(in)[0];
      if (to < 0 || to >= static_cast<int64_t>(cores_.size()) || to == static_cast<int64_t>(c))
        runtime_error(from.program(), in, "send_to_rank " + std::to_string(to) + " is not the other core");
      Core& peer = *cores_[static_cast<size_t>(to)];
      const Instruction& pin = peer.program().instrs[static_cast<size_t>(arr[static_cast<size_t>(to)])];
      PhysView src = from.memory().view(from.program().op(in, 0));
      PhysView dst = peer.memory().view(peer.program().op(pin, 1));
      std::vector<uint8_t*> s = element_ptrs(src), d = element_ptrs(dst);
      if (s.size() != d.size() || src.dtype != dst.dtype)
        runtime_error(from.program(), in,
                      "sends " + std::to_string(s.size()) + " " + std::string(name_of(src.dtype)) +
                          " elements, but core " + std::to_string(to) + "'s dst holds " + std::to_string(d.size()) +
                          " " + std::string(name_of(dst.dtype)));
      size_t w = static_cast<size_t>(size_of(src.dtype));
      for (size_t i = 0; i < s.size(); ++i) std::memcpy(d[i], s[i], w);
    }
  }
  for (size_t c = 0; c < cores_.size(); ++c)
    if (waiting_[c] && waiting_[c]->key == key) waiting_[c]->complete = true;
}

// "core 1 has finished" / "core 1 waits at core_barrier on line 12" (with "rank r " when name_rank).
std::string Device::describe_core(const Core& c, bool name_rank) const {
  const Instruction* in = c.waiting_at();
  return (name_rank ? "rank " + std::to_string(rank_) + " " : "") + "core " + std::to_string(c.id()) +
         (c.done() || !in ? " has finished" : " waits at " + sync_name(*in) + " on line " + line_of(c.program(), *in));
}

std::string Device::describe_cores(bool name_rank) const {
  std::string out;
  for (auto& o : cores_) out += (out.empty() ? "" : "; ") + describe_core(*o, name_rank);
  return out;
}

void Device::describe_waiting(std::vector<Diagnostic>& out, const std::string& others, bool name_rank) const {
  for (auto& c : cores_) {
    const Instruction* in = c->waiting_at();
    if (c->done() || !in) continue;
    std::string peers = others;
    for (auto& o : cores_)
      if (o.get() != c.get()) peers += (peers.empty() ? "" : "; ") + describe_core(*o, false);
    std::string who = (name_rank ? "rank " + std::to_string(rank_) + " " : "") + "core " + std::to_string(c->id());
    Diagnostic d = c->program().diagnostic_at(*in, "deadlock: " + who + " waits here for a matching " + sync_name(*in) +
                                                       " that no other core reaches (" + peers + ")");
    d.hint = in->op == Opcode::Collective
                 ? "every rank of the replica group must reach the same collectives in the same order"
                 : "every core must reach the same core_barrier and sendrecv calls, in the same order, with the same "
                   "pipe_id";
    out.push_back(std::move(d));
  }
}

Device::Shared* Device::shared_of(const uint8_t* p) {
  auto it =
      std::upper_bound(shared_.begin(), shared_.end(), p, [](const uint8_t* x, const Shared& s) { return x < s.base; });
  if (it == shared_.begin()) return nullptr;
  --it;
  return p < it->base + it->bytes ? &*it : nullptr;
}

void Device::after_execute(Core& core, uint32_t instr, uint32_t epoch) {
  if (cores_.size() < 2) return;
  const Program& p = core.program();
  const Instruction& in = p.instrs[instr];
  if (in.flags & kDynamic) return;         // run-time addresses: not tracked
  if (info(in.op).traits & kSync) return;  // synchronizations order what they write
  for (size_t k = 0; k < in.num_ops; ++k) {
    const OperandSpec* role = role_of(in, k);
    if (!role || role->access == Access::Read) continue;
    APRef ap = p.op(in, k);
    if (p.tensors[ap.tensor].mem != Mem::HBM) continue;
    PhysView v = core.memory().view(ap);
    Shared* s = shared_of(v.origin);
    if (!s) continue;
    if (s->last_writer.empty()) s->last_writer.assign(static_cast<size_t>(s->bytes), 0);
    writes_.push_back({core.id(), epoch, instr});
    uint32_t id = static_cast<uint32_t>(writes_.size());
    int64_t w = size_of(v.dtype);
    for (int64_t part = 0; part < v.pnum; ++part)
      for_each_run(v, part, [&](uint8_t* ptr, int64_t step, int64_t n) {
        for (int64_t j = 0; j < n; ++j)
          for (int64_t b = 0; b < w; ++b) {
            int64_t off = ptr + j * step + b - s->base;
            if (off < 0 || off >= s->bytes) continue;
            uint32_t& last = s->last_writer[static_cast<size_t>(off)];
            if (last) {
              const Write& o = writes_[last - 1];
              if (o.core != core.id() && o.epoch == epoch) {
                std::pair<uint32_t, uint32_t> pair =
                    o.core == 0 ? std::make_pair(o.instr, instr) : std::make_pair(instr, o.instr);
                if (std::find(warned_.begin(), warned_.end(), pair) == warned_.end()) {
                  warned_.push_back(pair);
                  const Program& op = cores_[static_cast<size_t>(o.core)]->program();
                  const Instruction& oin = op.instrs[o.instr];
                  Diagnostic d =
                      p.diagnostic_at(in, "core " + std::to_string(core.id()) + " writes shared_hbm bytes of '" +
                                              p.tensors[ap.tensor].name + "' that core " + std::to_string(o.core) +
                                              " also writes (line " + line_of(op, oin) +
                                              "), with no core_barrier or sendrecv between the two writes");
                  d.severity = Severity::Warning;
                  d.hint = "the cores run in parallel: which write lands last is undefined on hardware";
                  Diagnostic note = op.diagnostic_at(oin, "core " + std::to_string(o.core) + "'s write");
                  note.severity = Severity::Note;
                  d.notes.push_back(std::move(note));
                  warnings_.push_back(std::move(d));
                }
              }
            }
            last = id;
          }
      });
  }
}

void run(const Program& p, const Target& t, const std::vector<HostBuffer>& inputs,
         const std::vector<HostBuffer>& outputs, const Progress& progress) {
  Device dev(t, {&p}, inputs, outputs);
  dev.run(progress);
}

}  // namespace nkic::sim
