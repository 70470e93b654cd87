// template_source.cc: the hot path of a templated run: one walk over a request's steps per
// request, writing straight into the connection's buffer. No allocation, no locks, no JS.
#include "template_source.h"

#include <algorithm>
#include <cstring>
#include <ctime>

namespace ratetest {
namespace {

// Decimal digits of value, written backwards ending at `end`; returns where they start.
char* decimal(uint64_t value, char* end) {
  char* p = end;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  return p;
}

// Characters that cannot stand in a request target as they are: controls, space, non-ASCII and
// those the URL standard percent-encodes in a path. A CSV cell is data, so it is encoded.
bool needs_escape(unsigned char c) {
  return c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '<' || c == '>' || c == '`' || c == '{' || c == '}';
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
void civil_from_days(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2 ? 1 : 0);
}

void two_digits(char* at, unsigned value) {
  at[0] = static_cast<char>('0' + value / 10);
  at[1] = static_cast<char>('0' + value % 10);
}

}  // namespace

TemplateSource::TemplateSource(std::shared_ptr<const TemplateProgram> program, uint32_t pump_index)
    : program_(std::move(program)), prng_(program_->seed, pump_index), body_(program_->max_body) {}

char* TemplateSource::Writer::reserve(size_t n) {
  if (length + n > buffer->size()) buffer->resize(std::max(buffer->size() * 2, length + n));
  char* at = buffer->data() + length;
  length += n;
  return at;
}

void TemplateSource::Writer::put(const char* data, size_t n) { std::memcpy(reserve(n), data, n); }

uint64_t TemplateSource::realtime_ns() {
  if (realtime_cache_ns_ == 0) {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    realtime_cache_ns_ = static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
  return realtime_cache_ns_;
}

int TemplateSource::next(uint64_t seq, uint64_t, RequestBytes* out) {
  const TemplateProgram& program = *program_;
  const uint32_t index = program.mix[seq % program.mix.size()];
  const TemplateRequest& request = program.requests[index];
  csv_row_chosen_ = false;
  realtime_cache_ns_ = 0;
  Writer writer{&out->buffer, 0};
  expand(request.head_first, request.head_count, seq, &writer);
  if (request.has_body) {
    Writer body{&body_, 0};
    expand(request.body_first, request.body_count, seq, &body);
    static constexpr char kName[] = "Content-Length: ";
    writer.put(kName, sizeof kName - 1);
    char digits[20];
    char* end = digits + sizeof digits;
    char* start = decimal(body.length, end);
    writer.put(start, static_cast<size_t>(end - start));
    writer.put("\r\n\r\n", 4);
    writer.put(body_.data(), body.length);
  } else {
    // No Content-Length from us (none needed, or the user set one): the body follows as it is.
    writer.put("\r\n", 2);
    expand(request.body_first, request.body_count, seq, &writer);
  }
  out->data = out->buffer.data();
  out->size = writer.length;
  return static_cast<int>(index);
}

void TemplateSource::expand(uint32_t first, uint32_t count, uint64_t seq, Writer* writer) {
  const TemplateProgram& program = *program_;
  static constexpr char kHex[] = "0123456789abcdef";
  for (uint32_t s = first; s < first + count; ++s) {
    const TemplateStep& step = program.steps[s];
    switch (step.op) {
      case TemplateOp::literal:
        writer->put(program.pool.data() + step.a, step.b);
        break;
      case TemplateOp::seq: {
        char digits[20];
        char* end = digits + sizeof digits;
        char* start = decimal(seq + step.a, end);
        writer->put(start, static_cast<size_t>(end - start));
        break;
      }
      case TemplateOp::rand: {
        const int64_t value = static_cast<int64_t>(step.a + prng_.below_or_at(step.b));
        char digits[21];
        char* end = digits + sizeof digits;
        char* start = decimal(value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value), end);
        if (value < 0) *--start = '-';
        writer->put(start, static_cast<size_t>(end - start));
        break;
      }
      case TemplateOp::uuid: {
        // 8-4-4-4-12 hex digits; version 4 in the 13th digit, variant 10xx in the 17th (RFC 9562).
        uint64_t high = prng_.next();
        uint64_t low = prng_.next();
        high = (high & 0xffffffffffff0fffull) | 0x0000000000004000ull;
        low = (low & 0x3fffffffffffffffull) | 0x8000000000000000ull;
        char* at = writer->reserve(36);
        int digit = 0;
        for (int i = 0; i < 32; ++i) {
          if (i == 8 || i == 12 || i == 16 || i == 20) at[digit++] = '-';
          const uint64_t word = i < 16 ? high : low;
          at[digit++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xf];
        }
        break;
      }
      case TemplateOp::pick: {
        const uint64_t choice = step.a + prng_.below_or_at(step.b - 1);
        writer->put(program.pool.data() + program.choices[choice * 2], program.choices[choice * 2 + 1]);
        break;
      }
      case TemplateOp::now_iso: {
        // 2026-11-23T03:06:34.123Z
        const uint64_t ms = realtime_ns() / 1000000ull;
        const int64_t days = static_cast<int64_t>(ms / 86400000ull);
        const uint64_t in_day = ms % 86400000ull;
        int64_t year;
        unsigned month, day;
        civil_from_days(days, &year, &month, &day);
        char* at = writer->reserve(24);
        const unsigned y = static_cast<unsigned>(year);
        two_digits(at, y / 100);
        two_digits(at + 2, y % 100);
        at[4] = '-';
        two_digits(at + 5, month);
        at[7] = '-';
        two_digits(at + 8, day);
        at[10] = 'T';
        two_digits(at + 11, static_cast<unsigned>(in_day / 3600000));
        at[13] = ':';
        two_digits(at + 14, static_cast<unsigned>(in_day / 60000 % 60));
        at[16] = ':';
        two_digits(at + 17, static_cast<unsigned>(in_day / 1000 % 60));
        at[19] = '.';
        const unsigned milli = static_cast<unsigned>(in_day % 1000);
        at[20] = static_cast<char>('0' + milli / 100);
        two_digits(at + 21, milli % 100);
        at[23] = 'Z';
        break;
      }
      case TemplateOp::now_ms: {
        char digits[20];
        char* end = digits + sizeof digits;
        char* start = decimal(realtime_ns() / 1000000ull, end);
        writer->put(start, static_cast<size_t>(end - start));
        break;
      }
      case TemplateOp::csv:
        put_csv(step, seq, writer);
        break;
    }
  }
}

// Every csv slot of one request reads the same row: row k mod rows in file order, so the run
// walks the file from the top (and wraps), or one random row per request.
void TemplateSource::put_csv(const TemplateStep& step, uint64_t seq, Writer* writer) {
  const CsvTable& csv = program_->csv;
  if (!csv_row_chosen_) {
    csv_row_ = csv.random ? prng_.below_or_at(csv.rows - 1) : seq % csv.rows;
    csv_row_chosen_ = true;
  }
  const size_t cell = csv_row_ * csv.columns + step.a;
  const char* data = csv.bytes.data() + csv.offsets[cell];
  const size_t length = csv.offsets[cell + 1] - csv.offsets[cell];
  if (!step.path_escape) {
    writer->put(data, length);
    return;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < length; ++i) {
    const auto c = static_cast<unsigned char>(data[i]);
    if (needs_escape(c)) {
      char* at = writer->reserve(3);
      at[0] = '%';
      at[1] = kHex[c >> 4];
      at[2] = kHex[c & 0xf];
    } else {
      *writer->reserve(1) = static_cast<char>(c);
    }
  }
}

}  // namespace ratetest
