#include "training.h"

#include <stb/stb_easy_font.h>
// The one definition of stb_image_write's functions in the project.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace training {

Flags::Flags(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

void Flags::add(Flag flag) {
  for (const Flag& other : flags_)
    mg::check(other.name != flag.name, "Flags: --", flag.name, " is registered twice");
  flags_.push_back(std::move(flag));
}

void Flags::add(const std::string& name, int64_t& value, const std::string& help) {
  add({name, help, &value});
}
void Flags::add(const std::string& name, double& value, const std::string& help) {
  add({name, help, &value});
}
void Flags::add(const std::string& name, std::string& value, const std::string& help) {
  add({name, help, &value});
}
void Flags::add(const std::string& name, bool& value, const std::string& help) {
  add({name, help, &value});
}

namespace {

// The whole of text as a T, or nothing.
template <typename T>
std::optional<T> parse_number(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

bool Flags::set(const Flag& flag, const std::string& text) {
  if (auto* const* i = std::get_if<int64_t*>(&flag.value)) {
    const auto value = parse_number<int64_t>(text);
    if (value) **i = *value;
    return value.has_value();
  }
  if (auto* const* d = std::get_if<double*>(&flag.value)) {
    const auto value = parse_number<double>(text);
    if (value) **d = *value;
    return value.has_value();
  }
  if (auto* const* s = std::get_if<std::string*>(&flag.value)) {
    **s = text;
    return true;
  }
  bool* b = std::get<bool*>(flag.value);
  if (text != "true" && text != "false") return false;
  *b = text == "true";
  return true;
}

std::string Flags::value_text(const Flag& flag) {
  std::ostringstream text;
  std::visit(
      [&](auto* value) {
        if constexpr (std::is_same_v<decltype(value), bool*>)
          text << (*value ? "true" : "false");
        else if constexpr (std::is_same_v<decltype(value), std::string*>)
          text << '"' << *value << '"';
        else
          text << *value;
      },
      flag.value);
  return text.str();
}

std::string Flags::help() const {
  std::ostringstream text;
  text << "Usage: " << program_ << " [flags]\n\n" << description_ << "\n\nFlags:\n";
  const auto placeholder = [](const Flag& flag) -> std::string {
    if (std::holds_alternative<int64_t*>(flag.value)) return " N";
    if (std::holds_alternative<double*>(flag.value)) return " X";
    if (std::holds_alternative<std::string*>(flag.value)) return " TEXT";
    return "";
  };
  size_t width = std::string("--help").size();
  for (const Flag& flag : flags_)
    width = std::max(width, 2 + flag.name.size() + placeholder(flag).size());
  const auto row = [&](const std::string& usage, const std::string& help) {
    text << "  " << std::left << std::setw(static_cast<int>(width) + 2) << usage << help << "\n";
  };
  for (const Flag& flag : flags_)
    row("--" + flag.name + placeholder(flag), flag.help + " (default: " + value_text(flag) + ")");
  row("--help", "print this help and exit");
  return text.str();
}

std::optional<int> Flags::parse(const std::vector<std::string>& args, std::ostream& out,
                                std::ostream& err) {
  const auto fail = [&](const std::string& message) {
    err << program_ << ": " << message << "\nRun '" << program_ << " --help' for the flags.\n";
    return 2;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out << help();
      return 0;
    }
    if (!arg.starts_with("--")) return fail("unexpected argument '" + arg + "'");
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos ? equals : equals - 2);
    const auto flag =
        std::find_if(flags_.begin(), flags_.end(), [&](const Flag& f) { return f.name == name; });
    if (flag == flags_.end()) return fail("unknown flag '--" + name + "'");
    std::string value;
    if (equals != std::string::npos)
      value = arg.substr(equals + 1);
    else if (std::holds_alternative<bool*>(flag->value))
      value = "true";
    else if (i + 1 < args.size())
      value = args[++i];
    else
      return fail("flag '--" + name + "' needs a value");
    if (!set(*flag, value)) return fail("invalid value '" + value + "' for flag '--" + name + "'");
  }
  return std::nullopt;
}

std::optional<int> Flags::parse(int argc, const char* const* argv) {
  return parse(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}

Progress::Progress(int64_t total_steps, std::ostream& out, std::optional<bool> interactive,
                   int64_t print_every)
    : total_steps_(total_steps),
      print_every_(print_every > 0 ? print_every : std::max<int64_t>(1, total_steps / 10)),
      out_(out),
      interactive_(interactive.value_or(isatty(STDOUT_FILENO) == 1)),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::Progress(int64_t total_steps) : Progress(total_steps, std::cout) {}

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

namespace {

// 75 -> "1m15s", 8.2 -> "8s".
std::string duration_text(double seconds) {
  const auto whole = static_cast<int64_t>(std::lround(seconds));
  return whole >= 60 ? std::to_string(whole / 60) + "m" + std::to_string(whole % 60) + "s"
                     : std::to_string(whole) + "s";
}

}  // namespace

std::string Progress::line(int64_t step, double loss) const {
  const double elapsed = elapsed_seconds();
  const double steps_per_second = elapsed > 0 ? static_cast<double>(step) / elapsed : 0.0;
  std::ostringstream text;
  const int digits = static_cast<int>(std::to_string(total_steps_).size());
  text << "step " << std::setw(digits) << step << "/" << total_steps_ << "  loss " << std::fixed
       << std::setprecision(4) << loss << "  acc ";
  if (accuracy_)
    text << std::setprecision(1) << std::setw(5) << 100.0 * *accuracy_ << "%";
  else
    text << "   --";
  text << "  " << std::setprecision(1) << steps_per_second << " steps/s";
  if (step < total_steps_ && steps_per_second > 0)
    text << "  ETA " << duration_text(static_cast<double>(total_steps_ - step) / steps_per_second);
  else
    text << "  took " << duration_text(elapsed);
  return text.str();
}

void Progress::update(int64_t step, double loss, std::optional<double> accuracy) {
  if (accuracy) accuracy_ = accuracy;
  const bool last = step >= total_steps_;
  if (interactive_) {
    const auto now = std::chrono::steady_clock::now();
    if (!last && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    // Carriage return, the line, then erase whatever a longer previous line left to its right.
    out_ << "\r" << line(step, loss) << "\x1b[K" << std::flush;
    drawn_ = true;
  } else if (last || step % print_every_ == 0) {
    out_ << line(step, loss) << "\n" << std::flush;
  }
}

void Progress::finish() {
  if (interactive_ && drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

void write_metrics(const std::string& path, const nlohmann::ordered_json& metrics) {
  std::ofstream file(path);
  mg::check(file.good(), "write_metrics: cannot open ", path, " for writing");
  file << metrics.dump(2) << "\n";
  mg::check(file.good(), "write_metrics: cannot write ", path);
}

namespace {

using Rgb = std::array<unsigned char, 3>;

constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kGrey{200, 200, 200},
    kLightBlue{166, 206, 227}, kDarkBlue{31, 90, 180};

// An RGB image, drawn on with rectangles, lines and stb_easy_font's text, written by stb.
class Canvas {
 public:
  Canvas(int width, int height, Rgb background)
      : width_(width), height_(height), pixels_(static_cast<size_t>(width * height) * 3) {
    fill_rect(0, 0, width, height, background);
  }

  int width() const { return width_; }
  int height() const { return height_; }

  void set(int x, int y, Rgb colour) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
    std::copy(colour.begin(), colour.end(), pixels_.begin() + (y * width_ + x) * 3);
  }

  // [x0, x1) x [y0, y1), clipped to the canvas.
  void fill_rect(int x0, int y0, int x1, int y1, Rgb colour) {
    for (int y = std::max(y0, 0); y < std::min(y1, height_); ++y)
      for (int x = std::max(x0, 0); x < std::min(x1, width_); ++x) set(x, y, colour);
  }

  // Bresenham's line from (x0, y0) to (x1, y1), both ends included.
  void line(int x0, int y0, int x1, int y1, Rgb colour) {
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    for (int error = dx + dy;;) {
      set(x0, y0, colour);
      if (x0 == x1 && y0 == y1) return;
      const int twice = 2 * error;
      if (twice >= dy) error += dy, x0 += sx;
      if (twice <= dx) error += dx, y0 += sy;
    }
  }

  // stb_easy_font's text with its top left at (x, y), each font pixel scale pixels square.
  void text(int x, int y, const std::string& text, Rgb colour, int scale = 1) {
    std::string chars = text;                      // stb_easy_font takes a char*
    std::vector<char> quads(chars.size() * 1024);  // a glyph has at most 16 quads of 64 bytes
    const int num_quads = stb_easy_font_print(0, 0, chars.data(), nullptr, quads.data(),
                                              static_cast<int>(quads.size()));
    // Each quad is four vertices of x, y, z floats and four colour bytes; the first and third
    // vertices are opposite corners.
    constexpr size_t kVertexBytes = 3 * sizeof(float) + 4;
    for (int q = 0; q < num_quads; ++q) {
      std::array<float, 2> corner0{}, corner2{};
      std::memcpy(corner0.data(), quads.data() + (4 * q) * kVertexBytes, sizeof(corner0));
      std::memcpy(corner2.data(), quads.data() + (4 * q + 2) * kVertexBytes, sizeof(corner2));
      fill_rect(x + static_cast<int>(corner0[0]) * scale, y + static_cast<int>(corner0[1]) * scale,
                x + static_cast<int>(corner2[0]) * scale, y + static_cast<int>(corner2[1]) * scale,
                colour);
    }
  }

  static int text_width(const std::string& text, int scale = 1) {
    std::string chars = text;
    return stb_easy_font_width(chars.data()) * scale;
  }

  void write_png(const std::string& path) const {
    const int ok = stbi_write_png(path.c_str(), width_, height_, 3, pixels_.data(), width_ * 3);
    mg::check(ok != 0, "write_png: cannot write ", path);
  }

 private:
  int width_, height_;
  std::vector<unsigned char> pixels_;
};

// A short label for an axis tick: 0.0123 -> "0.0123", 2500 -> "2500".
std::string tick_text(double value) {
  std::ostringstream text;
  text << std::setprecision(6) << value;
  return text.str();
}

// Matplotlib's viridis at nine evenly spaced points, interpolated linearly in between.
Rgb viridis(double t) {
  static constexpr std::array<Rgb, 9> kStops{{{68, 1, 84},
                                              {71, 44, 122},
                                              {59, 81, 139},
                                              {44, 113, 142},
                                              {33, 144, 141},
                                              {39, 173, 129},
                                              {92, 200, 99},
                                              {170, 220, 50},
                                              {253, 231, 37}}};
  const double position = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
  const auto lower = std::min(static_cast<size_t>(position), kStops.size() - 2);
  const double fraction = position - static_cast<double>(lower);
  Rgb colour{};
  for (size_t c = 0; c < 3; ++c)
    colour[c] = static_cast<unsigned char>(
        std::lround((1 - fraction) * kStops[lower][c] + fraction * kStops[lower + 1][c]));
  return colour;
}

}  // namespace

void write_loss_curve(const std::string& path, const std::vector<double>& values, bool log_y) {
  mg::check(!values.empty(), "write_loss_curve: no values to plot for ", path);
  log_y = log_y && std::all_of(values.begin(), values.end(), [](double v) { return v > 0; });
  const auto scaled = [&](double v) { return log_y ? std::log10(v) : v; };

  // The moving average over a window of 2% of the steps smooths the per-batch noise.
  const size_t window = std::max<size_t>(1, values.size() / 50);
  std::vector<double> smoothed(values.size());
  double window_sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    window_sum += values[i];
    if (i >= window) window_sum -= values[i - window];
    smoothed[i] = window_sum / static_cast<double>(std::min(i + 1, window));
  }

  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  double y_min = scaled(*min_it), y_max = scaled(*max_it);
  if (log_y) y_min = std::floor(y_min), y_max = std::ceil(y_max);
  if (y_max - y_min < 1e-12) y_min -= 0.5, y_max += 0.5;

  Canvas canvas(800, 500, kWhite);
  const int left = 80, right = canvas.width() - 40, top = 40, bottom = canvas.height() - 60;
  const auto to_x = [&](double step) {
    const double span = std::max<double>(1, static_cast<double>(values.size() - 1));
    return left + static_cast<int>(std::lround(step / span * (right - left)));
  };
  const auto to_y = [&](double v) {
    return bottom -
           static_cast<int>(std::lround((scaled(v) - y_min) / (y_max - y_min) * (bottom - top)));
  };

  // Grid lines and tick labels: powers of ten on a log axis, five even steps otherwise.
  std::vector<double> y_ticks;
  if (log_y)
    for (double e = y_min; e <= y_max + 1e-9; ++e) y_ticks.push_back(std::pow(10.0, e));
  else
    for (int i = 0; i <= 4; ++i) y_ticks.push_back(y_min + (y_max - y_min) * i / 4);
  for (double tick : y_ticks) {
    const int y = to_y(tick);
    canvas.line(left, y, right, y, kGrey);
    const std::string label = tick_text(tick);
    canvas.text(left - 8 - Canvas::text_width(label, 2), y - 6, label, kBlack, 2);
  }
  // Steps are counted from 1; ticks at multiples of 1, 2 or 5 times a power of ten, about five.
  const auto last_step = static_cast<double>(values.size());
  const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(last_step / 5, 1.0))));
  double tick_step = magnitude;
  for (double factor : {2.0, 5.0, 10.0})
    if (last_step / tick_step > 6) tick_step = factor * magnitude;
  for (double step = tick_step; step <= last_step; step += tick_step) {
    const int x = to_x(step - 1);
    canvas.line(x, top, x, bottom, kGrey);
    const std::string label = tick_text(step);
    canvas.text(x - Canvas::text_width(label, 2) / 2, bottom + 10, label, kBlack, 2);
  }
  canvas.line(left, top, left, bottom, kBlack);
  canvas.line(left, bottom, right, bottom, kBlack);
  canvas.text(left, 10, log_y ? "training loss (log scale)" : "training loss", kBlack, 2);
  canvas.text((left + right) / 2 - Canvas::text_width("step", 2) / 2, bottom + 36, "step", kBlack,
              2);

  for (const auto& [series, colour] : {std::pair{&values, kLightBlue}, {&smoothed, kDarkBlue}})
    for (size_t i = 1; i < series->size(); ++i)
      canvas.line(to_x(static_cast<double>(i - 1)), to_y((*series)[i - 1]),
                  to_x(static_cast<double>(i)), to_y((*series)[i]), colour);
  canvas.write_png(path);
}

void write_heatmaps(const std::string& path, const mg::Tensor& weights, int cell_px, double vmax,
                    const std::vector<std::string>& labels) {
  mg::check(weights.dim() == 3 || weights.dim() == 4,
            "write_heatmaps: expected weights [num_heads, T_query, T_key] or [num_layers, ",
            "num_heads, T_query, T_key], got shape ", weights.shape());
  mg::check(cell_px > 0 && vmax > 0, "write_heatmaps: cell_px (", cell_px, ") and vmax (", vmax,
            ") must be positive");
  const mg::Tensor maps = weights.dim() == 3 ? weights.unsqueeze(0) : weights;
  const auto num_layers = static_cast<int>(maps.size(0));
  const auto num_heads = static_cast<int>(maps.size(1));
  const auto rows = static_cast<int>(maps.size(2)), cols = static_cast<int>(maps.size(3));
  mg::check(labels.empty() || (rows == cols && std::ssize(labels) == rows),
            "write_heatmaps: expected one label per token, got ", labels.size(), " labels for ",
            "weights of shape ", weights.shape());
  const std::vector<double> values = maps.to(mg::kFloat64).contiguous().to_vector<double>();

  // Each map has its title above, then the key labels, and the query labels on its left.
  int label_width = 0;
  for (const std::string& label : labels)
    label_width = std::max(label_width, Canvas::text_width(label) + 4);
  const int label_height = labels.empty() ? 0 : 12;
  const int margin = 20, title_height = 30, gap = 20, colour_bar_width = 20;
  const int map_width = cols * cell_px, map_height = rows * cell_px;
  const int panel_width = label_width + map_width + gap;
  const int panel_height = title_height + label_height + map_height + gap;
  const int maps_top = margin + title_height + label_height;
  const int bar_height =
      std::max(num_layers * panel_height - gap - title_height - label_height, 100);
  Canvas canvas(2 * margin + num_heads * panel_width + colour_bar_width + 50,
                maps_top + bar_height + margin + 10, kWhite);
  for (int l = 0; l < num_layers; ++l)
    for (int h = 0; h < num_heads; ++h) {
      const int x0 = margin + h * panel_width + label_width, y0 = maps_top + l * panel_height;
      const std::string title = "head " + std::to_string(h);
      canvas.text(x0, y0 - title_height - label_height,
                  num_layers > 1 ? "layer " + std::to_string(l) + " " + title : title, kBlack, 2);
      for (size_t i = 0; i < labels.size(); ++i) {
        const int offset = static_cast<int>(i) * cell_px;
        canvas.text(x0 + offset + (cell_px - Canvas::text_width(labels[i])) / 2, y0 - label_height,
                    labels[i], kBlack);
        canvas.text(x0 - label_width, y0 + offset + (cell_px - 8) / 2, labels[i], kBlack);
      }
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
          const size_t index = ((static_cast<size_t>(l) * num_heads + h) * rows + i) * cols + j;
          canvas.fill_rect(x0 + j * cell_px, y0 + i * cell_px, x0 + (j + 1) * cell_px,
                           y0 + (i + 1) * cell_px, viridis(values[index] / vmax));
        }
    }
  // The colour bar: vmax at the top, 0 at the bottom.
  const int bar_x = margin + num_heads * panel_width;
  for (int y = 0; y < bar_height; ++y)
    canvas.fill_rect(bar_x, maps_top + y, bar_x + colour_bar_width, maps_top + y + 1,
                     viridis(1.0 - static_cast<double>(y) / (bar_height - 1)));
  canvas.text(bar_x + colour_bar_width + 6, maps_top, tick_text(vmax), kBlack, 2);
  canvas.text(bar_x + colour_bar_width + 6, maps_top + bar_height - 14, "0", kBlack, 2);
  canvas.write_png(path);
}

}  // namespace training
