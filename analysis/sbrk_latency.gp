# sbrk(N) latency against N under both policies, log-log: eager's time grows with every
# page it allocates, zeroes and maps; lazy's stays flat because it only moves the break.
# Both clocks are drawn: the host clock (plain TCG, wall time) and icount (instructions
# at 8 ns), whose costs differ (see REPORT.md). Error bars are the min..max of the runs.
#
#   gnuplot -e "datadir='analysis/data'; outdir='analysis/figures'" analysis/sbrk_latency.gp
set datafile separator ","
# Rows of other series evaluate to NaN: skip them without breaking the line.
set datafile missing NaN
host = datadir."/sbrkbench-host.csv"
icount = datadir."/sbrkbench-icount.csv"

# Column 8 is the median, 9 min, 10 max (ns); shown in microseconds. sel() keeps the rows
# of one policy whose status is ok (fail: eager sbrk asked for more than free memory).
sel(p, st) = strcol(2) eq "sbrk" && strcol(3) eq p && strcol(12) eq st ? $4 : NaN

set logscale xy
set xrange [3000:1.5e9]
set yrange [1:2e7]
set xtics ("4 KiB" 4096, "16 KiB" 16384, "64 KiB" 65536, "256 KiB" 262144, \
           "1 MiB" 1048576, "4 MiB" 4194304, "16 MiB" 16777216, "64 MiB" 67108864, \
           "256 MiB" 268435456, "1 GiB" 1073741824)
set format y "10^{%T}"
set xlabel "heap growth N (bytes, log scale)"
set ylabel "time of sbrk(N), median of the runs (µs, log scale)"
set title "sbrk(N) latency, eager against lazy (128 MiB machine, 3 harts)"
set key top left box opaque
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set label 1 "open symbols: eager sbrk failed (N > free memory);\nthe time is how long it took to allocate all\nfree memory and give it back" \
    at 1.3e9, 6e3 right font ",9"

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000,650 enhanced font "DejaVu Sans,11"
  } else {
    set terminal svg size 1000,650 enhanced font "DejaVu Sans,11" dynamic
  }
  set output outdir."/sbrk_latency.".fmt
  plot host   using (sel("eager","ok")):($8/1e3):($9/1e3):($10/1e3) with yerrorlines \
                lc rgb "#c0392b" lw 2 pt 7 ps 0.8 title "eager, host clock", \
       host   using (sel("eager","fail")):($8/1e3):($9/1e3):($10/1e3) with yerrorbars \
                lc rgb "#c0392b" pt 6 ps 1.4 title "eager, host clock: sbrk failed", \
       icount using (sel("eager","ok")):($8/1e3):($9/1e3):($10/1e3) with yerrorlines \
                lc rgb "#e67e22" lw 2 dt 2 pt 5 ps 0.8 title "eager, icount", \
       icount using (sel("eager","fail")):($8/1e3):($9/1e3):($10/1e3) with yerrorbars \
                lc rgb "#e67e22" pt 4 ps 1.4 title "eager, icount: sbrk failed", \
       host   using (sel("lazy","ok")):($8/1e3):($9/1e3):($10/1e3) with yerrorlines \
                lc rgb "#2471a3" lw 2 pt 7 ps 0.8 title "lazy, host clock", \
       icount using (sel("lazy","ok")):($8/1e3):($9/1e3):($10/1e3) with yerrorlines \
                lc rgb "#17a589" lw 2 dt 2 pt 5 ps 0.8 title "lazy, icount"
  unset output
}
