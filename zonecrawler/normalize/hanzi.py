"""Traditional -> simplified characters for matching zone and place names (蘇州工業園區 -> 苏州工业园区).

Not a general converter: a one-to-one table of the traditional characters that occur in the
names of provinces, cities, counties and development zones (every character of the gazetteer's names), so that traditional-script pages (Hong Kong,
Taiwan, Macau) resolve against the simplified gazetteer. One character maps to one character,
so positions in the converted text are positions in the original.
"""

from __future__ import annotations

_PAIRS = (
    "蘇苏 業业 園园 區区 開开 發发 經经 濟济 術术 產产 綜综 稅税 級级 貿贸 實实 驗验 廣广 東东 臺台 "
    "灣湾 門门 龍龙 陽阳 島岛 寧宁 華华 鄭郑 漢汉 瀋沈 遼辽 黃黄 貴贵 嶺岭 連连 錫锡 無无 長长 興兴 "
    "鎮镇 進进 雲云 廈厦 陝陕 蘭兰 烏乌 齊齐 爾尔 寶宝 慶庆 歐欧 圍围 戶户 關关 蕪芜 鄉乡 縣县 巖岩 "
    "嶼屿 滬沪 閩闽 贛赣 豐丰 鳳凤 衛卫 鐵铁 鋼钢 來来 莊庄 場场 壩坝 灘滩 澤泽 濱滨 臨临 義义 築筑 "
    "軟软 電电 車车 機机 匯汇 彙汇 聯联 盧卢 魯鲁 晉晋 陰阴 靈灵 嶽岳 蓮莲 麗丽 濰潍 煙烟 滄沧 揚扬 "
    "鹽盐 綿绵 瀘泸 榮荣 壽寿 萊莱 灤滦 張张 運运 國国 際际 綫线 線线 設设 層层 兩两 貨货 倉仓 儲储 "
    "創创 務务 點点 葉叶 橋桥 亞亚 邊边 環环 "
    # the traditional form of every other character in the gazetteer's zone and place names (zones.tsv,
    # divisions.tsv), each checked to convert back to the same simplified character
    "萬万 專专 叢丛 個个 爲为 樂乐 習习 於于 僕仆 從从 侖仑 儀仪 們们 會会 偉伟 倫伦 餘余 僑侨 兒儿 兗兖 黨党 內内 岡冈 冊册 軍军 "
    "農农 衝冲 淨净 準准 涼凉 憑凭 凱凯 劉刘 則则 剛刚 別别 劍剑 勸劝 勻匀 醫医 單单 臥卧 廠厂 歷历 廂厢 雙双 敘叙 疊叠 後后 呂吕 "
    "啓启 吳吴 鹹咸 響响 團团 圖图 聖圣 壇坛 壘垒 墾垦 墊垫 壯壮 壺壶 備备 復复 頭头 夾夹 奮奋 婁娄 孫孙 學学 審审 宮宫 寬宽 賓宾 "
    "尋寻 將将 堯尧 屬属 崗岗 嵐岚 嶧峄 峽峡 巒峦 峯峰 嶗崂 崍崃 鞏巩 師师 帶带 幫帮 幹干 廬庐 庫库 應应 廟庙 龐庞 彌弥 強强 歸归 "
    "當当 彥彦 徵征 懷怀 態态 恆恒 愷恺 託托 撫抚 撾挝 鬥斗 舊旧 時时 暉晖 雜杂 權权 楊杨 極极 樅枞 棗枣 楓枫 樹树 棲栖 慄栗 欒栾 "
    "樺桦 夢梦 樓楼 橫横 畢毕 湯汤 溝沟 灃沣 涇泾 潔洁 窪洼 湞浈 溮浉 瀏浏 滻浐 渾浑 滸浒 潯浔 塗涂 濤涛 淶涞 漣涟 渦涡 潤润 澗涧 "
    "澱淀 淥渌 澠渑 溫温 遊游 漵溆 滿满 瀠潆 潛潜 瀾澜 燈灯 爐炉 煩烦 熱热 愛爱 猶犹 獨独 獅狮 獻献 瑪玛 現现 琿珲 瓊琼 瑤瑶 甕瓮 "
    "甌瓯 疇畴 監监 蓋盖 盤盘 磯矶 礦矿 碭砀 硯砚 碩硕 礄硚 確确 鹼碱 禮礼 祿禄 禪禅 離离 積积 稱称 窯窑 競竞 簡简 類类 粵粤 糧粮 "
    "紅红 納纳 紡纺 細细 織织 紹绍 結结 絳绛 綏绥 績绩 維维 綠绿 編编 縉缙 羅罗 羣群 聶聂 肅肃 勝胜 膠胶 脫脱 臘腊 騰腾 輿舆 節节 "
    "薌芗 蘆芦 蒼苍 蘋苹 範范 荊荆 滎荥 蔭荫 藥药 獲获 蘿萝 營营 蕭萧 薩萨 藍蓝 薊蓟 鎣蓥 藺蔺 蘄蕲 蘊蕴 裝装 觀观 覺觉 計计 讓让 "
    "訥讷 許许 詔诏 試试 諸诸 諾诺 調调 誼谊 謀谋 謨谟 謝谢 謙谦 譙谯 譜谱 貝贝 貞贞 貢贡 財财 賢贤 貧贫 貫贯 費费 賀贺 賈贾 資资 "
    "賚赉 賽赛 贊赞 趙赵 轉转 輪轮 軸轴 輕轻 載载 輝辉 達达 遷迁 邁迈 遠远 遜逊 邏逻 遙遥 鄧邓 郵邮 鄒邹 鄴邺 鄰邻 鬱郁 郟郏 鄆郓 "
    "鄖郧 鄲郸 採采 裏里 鑑鉴 針针 釩钒 鈦钛 鍾钟 欽钦 錢钱 鈴铃 鉛铅 銅铜 鋁铝 銀银 鏽锈 鋒锋 錯错 錦锦 鏡镜 鑲镶 間间 閔闵 閘闸 "
    "聞闻 閣阁 閬阆 閻阎 陸陆 隴陇 陳陈 陘陉 隨随 靜静 韋韦 韓韩 頂顶 項项 順顺 頗颇 潁颍 額额 風风 饒饶 館馆 馬马 駐驻 驛驿 驊骅 "
    "魚鱼 鮁鲅 鮮鲜 鯉鲤 鰲鳌 鳩鸠 雞鸡 鳴鸣 鴨鸭 鴻鸿 鶴鹤 鷹鹰 麥麦"
)
_TABLE = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split()})
TRADITIONAL = "".join(pair[0] for pair in _PAIRS.split())  # every character that to_simplified changes


def to_simplified(text: str) -> str:
    """``text`` with traditional characters of place and zone names replaced by simplified ones."""
    return text.translate(_TABLE)
